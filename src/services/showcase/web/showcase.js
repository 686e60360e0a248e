// The showcase page's one script: signing in, uploads with progress, the player's own videos,
// publishing and votes, over the same JSON API as every other client. The server renders the public
// videos and the rankings; this script only re-fetches those sections after a change.
// Plain browser JavaScript, served as written: no build step, nothing from a CDN.

// The token is kept in sessionStorage, not localStorage: it lives only as long as this tab, so a
// phone or a club computer left behind is not signed in forever, and other tabs do not share it.
// Either store is readable by a script on the page, which is why nothing here writes HTML from
// data (only textContent) and the page's Content-Security-Policy allows no inline or foreign script.
const TOKEN = 'showcase.token';
const WHO = 'showcase.email';
const POLL_MS = 2000;
const PENDING = new Set(['uploaded', 'processing']);
const STATUS_TEXT = {
  uploaded: 'Uploaded, waiting to be processed',
  processing: 'Processing',
  processed: 'Processed, ready to publish',
  public: 'Public',
  failed: 'Failed',
};

document.documentElement.classList.replace('no-js', 'js');

const $ = (selector) => document.querySelector(selector);
const statusLine = $('#status');
let pollTimer;
let lastOwn = '';

/** Says something in the live region, which screen readers announce. */
function say(text, kind = 'info') {
  statusLine.dataset.kind = kind;
  statusLine.textContent = text;
}

/** Why a refused request was refused, from its problem+json `detail`. */
function detailOf(status, body) {
  if (body && typeof body.detail === 'string') return body.detail;
  if (body && Array.isArray(body.detail)) return body.detail.map((d) => d.msg ?? String(d)).join('; ');
  return `The server answered ${status}`;
}

async function api(path, { method = 'GET', json } = {}) {
  const headers = {};
  const token = sessionStorage.getItem(TOKEN);
  if (token) headers.authorization = `Bearer ${token}`;
  if (json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const body = await res.json().catch(() => undefined);
  if (res.status === 401 && token) {
    signedOut();
    throw new Error('Your session has ended: sign in again');
  }
  if (!res.ok) throw new Error(detailOf(res.status, body));
  return body;
}

/** Runs a form's action with its button disabled, saying what went wrong if it fails. */
async function busy(button, action) {
  button.disabled = true;
  try {
    await action();
  } catch (err) {
    say(err instanceof Error ? err.message : String(err), 'error');
  } finally {
    button.disabled = false;
  }
}

function signedIn(email, { focus } = { focus: false }) {
  $('#who').textContent = email;
  $('#signed-in').hidden = false;
  $('#signed-out').hidden = true;
  $('#mine').hidden = false;
  if (focus) $('#mine-heading').focus();
  void loadOwn();
}

function signedOut() {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(WHO);
  clearTimeout(pollTimer);
  lastOwn = '';
  $('#own-videos').replaceChildren();
  $('#signed-in').hidden = true;
  $('#signed-out').hidden = false;
  $('#mine').hidden = true;
}

async function logIn(email, password) {
  const { access_token: token } = await api('/api/auth/login', { method: 'POST', json: { email, password } });
  sessionStorage.setItem(TOKEN, token);
  sessionStorage.setItem(WHO, email);
  signedIn(email, { focus: true });
}

const values = (form) => Object.fromEntries(new FormData(form).entries());

$('#sign-in').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const { email, password } = values(form);
  void busy(form.querySelector('button'), async () => {
    await logIn(String(email).trim(), String(password));
    form.reset();
    say(`Signed in as ${email}`, 'ok');
  });
});

$('#sign-up').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const v = values(form);
  const optional = (s) => (String(s).trim() ? String(s).trim() : undefined);
  const body = {
    first_name: String(v.first_name).trim(),
    last_name: String(v.last_name).trim(),
    email: String(v.email).trim(),
    city: optional(v.city),
    country: optional(v.country),
    password1: String(v.password1),
    password2: String(v.password2),
  };
  void busy(form.querySelector('button'), async () => {
    await api('/api/auth/signup', { method: 'POST', json: body });
    await logIn(body.email, body.password1);
    form.reset();
    say(`Welcome, ${body.first_name}: you are signed in and can upload your videos`, 'ok');
  });
});

$('#sign-out').addEventListener('click', () => {
  signedOut();
  say('Signed out');
  $('#in-email').focus();
});

// XMLHttpRequest, not fetch: only it reports the upload's progress.
$('#upload').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const button = form.querySelector('button');
  const bar = $('#upload-progress');
  const percent = $('#upload-percent');
  const file = $('#up-file').files[0];
  if (!String(values(form).title).trim()) return say('Give the video a title', 'error');
  if (!file) return say('Choose an MP4 video to upload', 'error');
  const show = (p) => {
    bar.value = p;
    percent.textContent = `${p} %`;
  };
  show(0);
  $('#upload-progress-row').hidden = false;
  button.disabled = true;
  say(`Uploading ${file.name}…`);
  const xhr = new XMLHttpRequest();
  xhr.open('POST', '/api/videos/upload');
  xhr.setRequestHeader('authorization', `Bearer ${sessionStorage.getItem(TOKEN)}`);
  xhr.responseType = 'json';
  xhr.upload.addEventListener('progress', (e) => {
    if (e.lengthComputable) show(Math.round((e.loaded / e.total) * 100));
  });
  xhr.addEventListener('load', () => {
    button.disabled = false;
    if (xhr.status === 201) {
      show(100);
      form.reset();
      say('Uploaded: the video is queued for processing', 'ok');
      void loadOwn();
    } else if (xhr.status === 401) {
      signedOut();
      say('Your session has ended: sign in again', 'error');
    } else say(`Upload refused: ${detailOf(xhr.status, xhr.response)}`, 'error');
  });
  xhr.addEventListener('error', () => {
    button.disabled = false;
    say('The upload did not reach the server; check the connection and try again', 'error');
  });
  xhr.send(new FormData(form));
});

function ownItem(v) {
  const li = document.createElement('li');
  li.dataset.videoId = v.video_id;
  const title = document.createElement('h3');
  title.textContent = v.title;
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.dataset.status = v.status;
  badge.textContent = STATUS_TEXT[v.status] ?? v.status;
  const when = document.createElement('p');
  when.className = 'meta';
  when.append(badge, ` · uploaded ${new Date(v.uploaded_at).toLocaleString()}`);
  li.append(title, when);
  if (v.processed_url) {
    const video = document.createElement('video');
    Object.assign(video, { controls: true, preload: 'metadata', src: v.processed_url });
    video.setAttribute('aria-label', v.title);
    li.append(video);
  }
  if (v.status === 'processed') {
    const publish = document.createElement('button');
    publish.type = 'button';
    publish.dataset.publish = v.video_id;
    publish.textContent = 'Publish';
    const hidden = document.createElement('span');
    hidden.className = 'visually-hidden';
    hidden.textContent = ` ${v.title}`;
    publish.append(hidden);
    li.append(publish);
  }
  return li;
}

/** The player's own videos; polled while any of them is still being processed. */
async function loadOwn() {
  clearTimeout(pollTimer);
  if (!sessionStorage.getItem(TOKEN)) return;
  try {
    const list = await api('/api/videos');
    const seen = JSON.stringify(list);
    // Redrawn only on a change, so a video being watched is not reset by the poll.
    if (seen !== lastOwn) {
      lastOwn = seen;
      const items = list.map(ownItem);
      if (!items.length) {
        const none = document.createElement('li');
        none.textContent = 'No videos yet: upload your first one above.';
        items.push(none);
      }
      $('#own-videos').replaceChildren(...items);
    }
    if (list.some((v) => PENDING.has(v.status))) pollTimer = setTimeout(loadOwn, POLL_MS);
  } catch (err) {
    say(err instanceof Error ? err.message : String(err), 'error');
  }
}

/** Re-reads sections from the server's own rendering of this page, so there is one template. */
async function refresh(...ids) {
  const res = await fetch(location.pathname + location.search, { headers: { accept: 'text/html' } });
  const page = new DOMParser().parseFromString(await res.text(), 'text/html');
  for (const id of ids) {
    const fresh = page.getElementById(id);
    if (fresh) document.getElementById(id).replaceChildren(...fresh.childNodes);
  }
}

document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target.closest('button') : null;
  if (!target) return;
  if (target.dataset.publish) {
    void busy(target, async () => {
      await api(`/api/videos/${target.dataset.publish}/publish`, { method: 'POST' });
      say('Published: the video is public and open to votes', 'ok');
      await Promise.all([loadOwn(), refresh('videos', 'rankings')]);
      // The button is gone with the redrawn list; keep the keyboard user in the same place.
      $('#mine-heading').focus();
    });
  } else if (target.dataset.vote) {
    if (!sessionStorage.getItem(TOKEN)) {
      say('Sign in (or sign up) to vote', 'error');
      $('#in-email').focus();
      return;
    }
    void busy(target, async () => {
      await api(`/api/public/videos/${target.dataset.vote}/vote`, { method: 'POST' });
      const count = target.closest('.card')?.querySelector('[data-votes]');
      if (count) {
        const n = Number(count.dataset.votes) + 1;
        count.dataset.votes = String(n);
        count.textContent = `${n} ${n === 1 ? 'vote' : 'votes'}`;
      }
      say('Vote registered: thank you', 'ok');
      await refresh('rankings');
    });
  }
});

const email = sessionStorage.getItem(WHO);
if (sessionStorage.getItem(TOKEN) && email) signedIn(email);
