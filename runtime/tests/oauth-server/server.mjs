// A real OAuth 2.0 / OpenID Connect authorization server (oidc-provider) for
// toolsmith's token refresh tests (runtime/tests/oauth_refresh.rs).
//
//   node server.mjs <port> [access-token-seconds]   # port 0 picks a free port
//
// Listens on 127.0.0.1 only and prints `listening http://127.0.0.1:<port>` once it
// accepts requests. Clients (secrets are test values, not real ones):
//   basic-client    client_secret_basic, authorization_code + refresh_token
//   post-client     client_secret_post,  authorization_code + refresh_token
//   link-client     client_secret_basic, authorization_code + refresh_token, native:
//                   redirect http://127.0.0.1:<any port>/link/callback
//   machine-client  client_secret_basic, client_credentials (scopes api:read api:write)
// Access tokens live 60 s (or the second argument), refresh tokens rotate on every use (reusing one revokes the
// whole grant). `GET /__stats` answers {"token_requests": N}: the number of POST /token
// requests received so far, whatever their outcome.
import http from 'node:http';
import Provider from 'oidc-provider';

const requested = Number.parseInt(process.argv[2] ?? '0', 10);
if (!Number.isInteger(requested) || requested < 0 || requested > 65535) {
  console.error(`usage: node server.mjs <port>  (got ${process.argv[2]})`);
  process.exit(2);
}

const accessTtl = Number.parseInt(process.argv[3] ?? '60', 10);
if (!Number.isInteger(accessTtl) || accessTtl < 1) {
  console.error(`usage: node server.mjs <port> [access-token-seconds]  (got ${process.argv[3]})`);
  process.exit(2);
}

const REDIRECT_URI = 'http://127.0.0.1/callback';
const LINK_REDIRECT_URI = 'http://127.0.0.1/link/callback';
const server = http.createServer();
server.listen(requested, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'basic-client',
        client_secret: 'basic-client-secret-5b0e',
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: 'post-client',
        client_secret: 'post-client-secret-91c3',
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
      {
        // A native client: its loopback redirect URI matches on any port (RFC 8252), as a
        // toolsmith server on a test port has it (`/link/callback`).
        client_id: 'link-client',
        client_secret: 'link-client-secret-3d7a',
        application_type: 'native',
        redirect_uris: [LINK_REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: 'machine-client',
        client_secret: 'machine-client-secret-e27a',
        redirect_uris: [],
        grant_types: ['client_credentials'],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'api:read api:write',
      },
    ],
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access', 'api:read', 'api:write'],
    ttl: { AccessToken: accessTtl, ClientCredentials: 60, RefreshToken: 3600 },
    issueRefreshToken: async (ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    rotateRefreshToken: true,
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
    },
    findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  });
  // The tests run the server over plain HTTP on the loopback interface.
  provider.proxy = false;

  let tokenRequests = 0;
  provider.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/__stats') {
      ctx.type = 'application/json';
      ctx.body = JSON.stringify({ token_requests: tokenRequests });
      return;
    }
    if (ctx.method === 'POST' && ctx.path === '/token') {
      tokenRequests += 1;
    }
    await next();
  });

  server.on('request', provider.callback());
  console.log(`listening ${issuer}`);
});
server.on('error', (err) => {
  console.error(`cannot listen on 127.0.0.1:${requested}: ${err.message}`);
  process.exit(1);
});
