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
  time(iso) { return iso ? new Date(iso).toLocaleString() : ''; },
  age(seconds) {
    if (seconds < 90) return Math.round(seconds) + ' s';
    if (seconds < 5400) return Math.round(seconds / 60) + ' min';
    if (seconds < 172800) return Math.round(seconds / 3600) + ' h';
    return Math.round(seconds / 86400) + ' d';
  },
  async json(url, options) {
    const response = await fetch(url, options);
    const body = await response.json();
    if (!response.ok) throw new Error(body.error ?? response.statusText);
    return body;
  },
};
