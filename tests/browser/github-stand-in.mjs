// github-stand-in.mjs — a stand-in for GitHub's OAuth and API endpoints, on
// loopback, as GitHub documents them (it cannot be reached from the tests):
//
//   GET  /login/oauth/authorize     a page with "Authorize" (and the email
//                                   to be, EMAIL unless changed), then back
//                                   to redirect_uri with code and state
//   POST /login/oauth/access_token  code (+ client secret, PKCE verifier)
//                                   for an access token, as JSON
//   GET  /user, /user/emails        the user, and their emails
//
//   node github-stand-in.mjs PORT CLIENT_ID CLIENT_SECRET LOGIN EMAIL
//
// Prints "ready" when it listens.
//
// Copyright 2026 The Milk Diary authors
// SPDX-License-Identifier: GPL-3.0-or-later

import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const [port, clientId, clientSecret, login, email] = process.argv.slice(2);
const codes = new Map();
const tokens = new Map();   // access token → primary email

function json(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function escape(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

// One GitHub user per email: the id follows from it.
function userId(address) {
  return parseInt(createHash('sha256').update(address).digest('hex').slice(0, 8), 16);
}

function s256(verifier) {
  return createHash('sha256').update(verifier).digest('base64url');
}

const server = createServer((req, res) => {
  const url = new URL(req.url, `http://127.0.0.1:${port}`);
  if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
    const q = url.searchParams;
    if (q.get('client_id') !== clientId)
      return json(res, 400, { error: 'unknown client' });
    if (q.get('approve') !== '1') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      return res.end(`<!DOCTYPE html><title>Authorize</title><h1>Authorize Milk Diary</h1>
<form method="get"><input type="hidden" name="approve" value="1">
${[...q].map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`).join('')}
<label>Primary email <input name="email" value="${escape(email)}"></label>
<button type="submit">Authorize</button></form>`);
    }
    const code = randomBytes(16).toString('hex');
    codes.set(code, { challenge: q.get('code_challenge'), redirect: q.get('redirect_uri'),
                      email: q.get('email') || email });
    const back = new URL(q.get('redirect_uri'));
    back.searchParams.set('code', code);
    back.searchParams.set('state', q.get('state'));
    res.writeHead(302, { Location: back.toString() });
    return res.end();
  }
  if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    return req.on('end', () => {
      const f = new URLSearchParams(body);
      const grant = codes.get(f.get('code'));
      codes.delete(f.get('code'));
      if (f.get('client_id') !== clientId || f.get('client_secret') !== clientSecret || !grant ||
          grant.redirect !== f.get('redirect_uri') || (grant.challenge && s256(f.get('code_verifier') || '') !== grant.challenge))
        return json(res, 200, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' });
      const token = `gho_${randomBytes(16).toString('hex')}`;
      tokens.set(token, grant.email);
      return json(res, 200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    });
  }
  const auth = (req.headers.authorization || '').replace(/^(Bearer|token) /, '');
  if (!tokens.has(auth))
    return json(res, 401, { message: 'Requires authentication' });
  const primary = tokens.get(auth);
  if (url.pathname === '/user')
    return json(res, 200, { login, id: userId(primary), email: null });
  if (url.pathname === '/user/emails')
    return json(res, 200, [
      { email: `${login}@users.noreply.github.com`, primary: false, verified: true, visibility: null },
      { email: primary, primary: true, verified: !primary.startsWith('unverified'), visibility: 'private' },
    ]);
  return json(res, 404, { message: 'Not Found' });
});

server.listen(Number(port), '127.0.0.1', () => console.log('ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
