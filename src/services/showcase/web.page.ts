/**
 * The showcase page, rendered on the server: the public videos and the rankings are plain HTML that
 * reads and plays without JavaScript; the script adds signing in, uploads, publishing and votes.
 */

export interface PageVideo {
  id: string;
  title: string;
  processed_url: string;
  owner_name: string;
  owner_city: string | null;
  votes: number;
}

export interface PageRanking {
  position: number;
  username: string;
  city: string | null;
  votes: number;
}

export interface PageData {
  city: string | undefined;
  videos: PageVideo[];
  rankings: PageRanking[];
  maxUploadMb: number;
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

const votes = (n: number) => `${n} ${n === 1 ? 'vote' : 'votes'}`;
const where = (city: string | undefined) => (city ? ` in “${esc(city)}”` : '');

function videoCard(v: PageVideo): string {
  const owner = `${esc(v.owner_name)}${v.owner_city ? ` · ${esc(v.owner_city)}` : ''}`;
  return `<li class="card" data-video-id="${esc(v.id)}">
<video controls preload="metadata" width="1280" height="720" src="${esc(v.processed_url)}" aria-label="${esc(v.title)}, by ${esc(v.owner_name)}"></video>
<h3>${esc(v.title)}</h3>
<p class="meta">${owner}</p>
<p class="meta"><span data-votes="${v.votes}">${votes(v.votes)}</span></p>
<button type="button" class="js-only" data-vote="${esc(v.id)}">Vote<span class="visually-hidden"> for ${esc(v.title)}</span></button>
</li>`;
}

/** The public videos section's inner HTML; the script swaps it in after a publish. */
export function videosSection(d: PageData): string {
  const list = d.videos.length
    ? `<ul class="cards">${d.videos.map(videoCard).join('')}</ul>`
    : `<p>No public videos${where(d.city)} yet.</p>`;
  return `<h2 id="videos-heading">Public videos${where(d.city)}</h2>${list}`;
}

/** The rankings section's inner HTML; the script swaps it in after a vote. */
export function rankingsSection(d: PageData): string {
  const rows = d.rankings
    .map(
      (r) =>
        `<tr><td>${r.position}</td><th scope="row">${esc(r.username)}</th><td>${esc(r.city ?? '—')}</td><td>${r.votes}</td></tr>`,
    )
    .join('');
  const table = d.rankings.length
    ? `<div class="table-wrap"><table><caption class="visually-hidden">Players by votes${where(d.city)}</caption>` +
      `<thead><tr><th scope="col">#</th><th scope="col">Player</th><th scope="col">City</th><th scope="col">Votes</th></tr></thead>` +
      `<tbody>${rows}</tbody></table></div>`
    : `<p>No ranked players${where(d.city)} yet: a player enters the rankings with a public video.</p>`;
  return `<h2 id="rankings-heading">Rankings${where(d.city)}</h2>${table}`;
}

const field = (id: string, label: string, attrs: string) =>
  `<p class="field"><label for="${id}">${label}</label><input id="${id}" ${attrs}></p>`;

function accountSection(): string {
  return `<h2 id="account-heading" tabindex="-1">Your account</h2>
<div id="signed-in" hidden><p>Signed in as <strong id="who"></strong>.</p><button type="button" id="sign-out">Sign out</button></div>
<div id="signed-out" class="columns">
<form id="sign-in" novalidate><h3>Sign in</h3>
${field('in-email', 'Email', 'name="email" type="email" autocomplete="username" required maxlength="254"')}
${field('in-password', 'Password', 'name="password" type="password" autocomplete="current-password" required maxlength="256"')}
<button type="submit">Sign in</button></form>
<form id="sign-up" novalidate><h3>Sign up as a player</h3>
${field('up-first', 'First name', 'name="first_name" autocomplete="given-name" required maxlength="100"')}
${field('up-last', 'Last name', 'name="last_name" autocomplete="family-name" required maxlength="100"')}
${field('up-email', 'Email', 'name="email" type="email" autocomplete="email" required maxlength="254"')}
${field('up-city', 'City', 'name="city" autocomplete="address-level2" maxlength="100"')}
${field('up-country', 'Country', 'name="country" autocomplete="country-name" maxlength="100"')}
${field('up-password1', 'Password (8 characters or more)', 'name="password1" type="password" autocomplete="new-password" required minlength="8" maxlength="256"')}
${field('up-password2', 'Repeat the password', 'name="password2" type="password" autocomplete="new-password" required minlength="8" maxlength="256"')}
<button type="submit">Sign up</button></form>
</div>`;
}

function mineSection(d: PageData): string {
  return `<h2 id="mine-heading" tabindex="-1">Your videos</h2>
<form id="upload" novalidate>
${field('up-title', 'Title', 'name="title" required maxlength="255"')}
${field('up-file', `Video (MP4, up to ${d.maxUploadMb} MB)`, 'name="video_file" type="file" accept="video/mp4,.mp4" required')}
<button type="submit">Upload</button>
<p class="progress" id="upload-progress-row" hidden><label for="upload-progress">Upload progress</label>
<progress id="upload-progress" max="100" value="0"></progress> <span id="upload-percent">0 %</span></p>
</form>
<ul id="own-videos" class="own" aria-live="polite"></ul>`;
}

/** The whole page; `city` fills the filter and narrows both lists. */
export function renderPage(d: PageData): string {
  return `<!doctype html>
<html lang="en" class="no-js"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rising Stars Showcase${d.city ? ` — ${esc(d.city)}` : ''}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/showcase/assets/showcase.css">
<script type="module" src="/showcase/assets/showcase.js"></script>
</head><body>
<a class="skip" href="#main">Skip to the videos</a>
<header><h1>Rising Stars Showcase</h1><p>Players show their skills; the public votes; the rankings pick who plays the showcase.</p>
<nav aria-label="Sections"><a href="#videos">Videos</a> <a href="#rankings">Rankings</a> <a href="#account">Account</a></nav></header>
<main id="main">
<p id="status" class="status" role="status" aria-live="polite"></p>
<form class="filter" method="get" action="/showcase/" role="search">
<label for="city">City</label>
<input id="city" name="city" type="search" maxlength="100" value="${esc(d.city ?? '')}" placeholder="e.g. bogota">
<button type="submit">Filter</button>${d.city ? ' <a href="/showcase/">All cities</a>' : ''}
</form>
<section id="videos" aria-labelledby="videos-heading">${videosSection(d)}</section>
<section id="rankings" aria-labelledby="rankings-heading">${rankingsSection(d)}</section>
<noscript><p>Signing in, uploading and voting need JavaScript; the videos and rankings work without it.</p></noscript>
<section id="account" class="js-only" aria-labelledby="account-heading">${accountSection()}</section>
<section id="mine" aria-labelledby="mine-heading" hidden>${mineSection(d)}</section>
</main>
<footer><p><a href="/">All services</a> · <a href="/docs">API docs</a></p></footer>
</body></html>`;
}
