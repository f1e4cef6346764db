// Opens a session with an API key: typed in, or given in the link's #key= fragment (which browsers never send).
const form = document.getElementById('signin');
const error = document.getElementById('error');

function target() {
  const wanted = new URLSearchParams(location.search).get('returnUrl') ?? '/incidents';
  // Only a path of this site: a link must not send a freshly signed-in operator elsewhere.
  return wanted.startsWith('/') && !wanted.startsWith('//') && !wanted.startsWith('/\\') ? wanted : '/incidents';
}

async function signIn(key) {
  error.textContent = '';
  try {
    await owf.json('/signin', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ key }),
    });
    location.replace(target());
  } catch (failure) {
    error.textContent = failure.message;
  }
}

form.addEventListener('submit', e => { e.preventDefault(); signIn(document.getElementById('key').value.trim()); });
function fromLink() {
  const given = new URLSearchParams(location.hash.slice(1)).get('key');
  if (!given) return;
  history.replaceState(null, '', location.pathname + location.search); // the key leaves the address bar and history
  signIn(given);
}
// A link opened on this very page changes only the fragment: no reload, so listen for it too.
window.addEventListener('hashchange', fromLink);
fromLink();
