// oidc-provider.mjs — a real OpenID Connect provider for the tests: the npm
// oidc-provider package (a certified implementation), on loopback.
//
//   node oidc-provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
//
// Its development sign-in page takes any login: the login is the person's
// email (and their "sub" is "sub-" + the email); a login starting with
// "unverified" gets email_verified false. Prints "ready" when it listens.
//
// Copyright 2026 The Milk Diary authors
// SPDX-License-Identifier: GPL-3.0-or-later

import Provider from 'oidc-provider';

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['milk-diary-tests-only'] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: `sub-${id}`, email: id, email_verified: !id.startsWith('unverified') };
      },
    };
  },
});

// Plain http on loopback: the provider must not insist on https.
provider.proxy = false;
const server = provider.listen(Number(port), '127.0.0.1', () => {
  console.log('ready');
  // Its notices after that are not the tests' business.
  console.log = console.info = () => {};
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
