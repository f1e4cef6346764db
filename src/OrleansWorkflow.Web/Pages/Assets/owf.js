// Shared by the incident pages: building table rows safely and talking to the API.
const owf = {
  cell(text, className) {
    const td = document.createElement('td');
    td.textContent = text ?? '';
    if (className) td.className = className;
    return td;
  },
  status(status) {
    const td = document.createElement('td');
    const span = document.createElement('span');
    span.className = 'status ' + status;
    span.textContent = status;
    td.appendChild(span);
    return td;
  },
  // A cell holding a link to a page of this site.
  link(href, text) {
    const td = document.createElement('td');
    const a = document.createElement('a');
    a.href = href;
    a.textContent = text ?? '';
    td.appendChild(a);
    return td;
  },
  time(iso) { return iso ? new Date(iso).toLocaleString() : ''; },
  age(seconds) {
    if (seconds < 90) return Math.round(seconds) + ' s';
    if (seconds < 5400) return Math.round(seconds / 60) + ' min';
    if (seconds < 172800) return Math.round(seconds / 3600) + ' h';
    return Math.round(seconds / 86400) + ' d';
  },
  // The antiforgery token the server gave this page: sent with every state-changing call.
  antiforgery() {
    const cookie = document.cookie.split('; ').find(c => c.startsWith('owf-xsrf='));
    return cookie ? decodeURIComponent(cookie.slice('owf-xsrf='.length)) : '';
  },
  async json(url, options = {}) {
    const method = (options.method ?? 'GET').toUpperCase();
    const headers = { ...(options.headers ?? {}) };
    if (method !== 'GET') headers['X-OWF-XSRF'] = owf.antiforgery();
    const response = await fetch(url, { ...options, headers });
    if (response.status === 401 && location.pathname !== '/signin') {
      location.assign('/signin?returnUrl=' + encodeURIComponent(location.pathname + location.search));
      throw new Error('signed out');
    }
    if (response.status === 204) return null;
    const body = await response.json();
    if (!response.ok) throw new Error(body.error ?? response.statusText);
    return body;
  },
  async whoAmI() {
    const me = await owf.json('/api/me');
    const header = document.querySelector('header');
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = me.name + ' (' + me.role + ')';
    const out = document.createElement('a');
    out.href = '#';
    out.id = 'signout';
    out.textContent = 'Sign out';
    out.addEventListener('click', async e => {
      e.preventDefault();
      await owf.json('/signout', { method: 'POST' });
      location.assign('/signin');
    });
    header.append(who, out);
  },
};
