// The official Composio TypeScript SDK (@composio/core with @composio/openai), unchanged,
// against `toolsmith serve`: the core calls of issue 14 as a user writes them.
//
//   node driver.mjs [URL] [API_KEY]      (else TOOLSMITH_URL and TOOLSMITH_API_KEY)
//
// Prints one JSON line per call, {"call", "ok", "detail"}; the exit code is the number of
// failed calls. Run by server/tests/ts_sdk.rs, whose local GitHub-like API answers
// GET /user/repos with the repository octo/hello for the user `ada`.
import assert from 'node:assert/strict';

import { Composio } from '@composio/core';
import { OpenAIProvider } from '@composio/openai';

const baseURL = process.argv[2] ?? process.env.TOOLSMITH_URL;
const apiKey = process.argv[3] ?? process.env.TOOLSMITH_API_KEY;
if (!baseURL || !apiKey) {
  console.error('usage: node driver.mjs URL API_KEY (or set TOOLSMITH_URL and TOOLSMITH_API_KEY)');
  process.exit(100);
}

let failures = 0;

/** Runs one call; prints its line. `fn` returns the detail of a success. */
async function call(name, fn) {
  try {
    const detail = await fn();
    console.log(JSON.stringify({ call: name, ok: true, detail: detail ?? null }));
  } catch (error) {
    failures += 1;
    const detail = `${error?.name ?? 'Error'}: ${error?.message ?? error}${error?.cause ? ` (cause: ${error.cause?.message ?? error.cause})` : ''}`;
    console.log(JSON.stringify({ call: name, ok: false, detail }));
  }
}

/** The names of OpenAI function tools, after checking their shape. */
function functionNames(tools) {
  assert.ok(Array.isArray(tools), `expected a list of tools, got ${JSON.stringify(tools)}`);
  for (const tool of tools) {
    assert.equal(tool.type, 'function', JSON.stringify(tool));
    assert.equal(typeof tool.function?.name, 'string', JSON.stringify(tool));
    assert.equal(typeof tool.function?.description, 'string', JSON.stringify(tool));
    assert.equal(tool.function?.parameters?.type, 'object', JSON.stringify(tool));
  }
  return tools.map(tool => tool.function.name);
}

const composio = new Composio({
  apiKey,
  baseURL,
  provider: new OpenAIProvider(),
  // No anonymous usage analytics, no version check against the npm registry.
  allowTracking: false,
  disableVersionCheck: true,
});

let session;
await call('composio.create', async () => {
  session = await composio.create('ada', { toolkits: ['github'] });
  assert.match(session.sessionId, /^trs_/);
  assert.equal(session.mcp.url, `${baseURL}/tool_router/${session.sessionId}/mcp`);
  assert.equal(session.mcp.headers?.['x-api-key'], apiKey, 'MCP headers on the same origin');
  return { session_id: session.sessionId, mcp_url: session.mcp.url };
});

await call('session.tools', async () => {
  assert.ok(session, 'no session: composio.create failed');
  const names = functionNames(await session.tools());
  for (const meta of ['COMPOSIO_SEARCH_TOOLS', 'COMPOSIO_MULTI_EXECUTE_TOOL', 'COMPOSIO_MANAGE_CONNECTIONS']) {
    assert.ok(names.includes(meta), `${meta} missing from ${names}`);
  }
  return names;
});

await call('tools.get(tools)', async () => {
  const tools = await composio.tools.get('ada', { tools: ['GITHUB_CREATE_ISSUE'] });
  assert.deepEqual(functionNames(tools), ['GITHUB_CREATE_ISSUE']);
  const { properties, required } = tools[0].function.parameters;
  for (const field of ['owner', 'repo', 'title']) {
    assert.ok(properties?.[field], `no \`${field}\` in ${JSON.stringify(properties)}`);
    assert.ok(required?.includes(field), `\`${field}\` not required: ${JSON.stringify(required)}`);
  }
  return Object.keys(properties);
});

await call('tools.get(toolkits, limit)', async () => {
  const names = functionNames(await composio.tools.get('ada', { toolkits: ['github'], limit: 5 }));
  assert.ok(names.length >= 1 && names.length <= 5, `expected 1 to 5 tools, got ${names.length}`);
  assert.ok(names.every(name => name.startsWith('GITHUB_')), `not all GitHub tools: ${names}`);
  return names;
});

await call('tools.execute', async () => {
  const result = await composio.tools.execute('GITHUB_LIST_REPOS_FOR_AUTHENTICATED_USER', {
    userId: 'ada',
    arguments: {},
    dangerouslySkipVersionCheck: true,
  });
  assert.equal(result.successful, true, JSON.stringify(result));
  assert.equal(result.error ?? null, null, JSON.stringify(result));
  assert.ok(JSON.stringify(result.data).includes('octo/hello'), `no octo/hello in ${JSON.stringify(result.data)}`);
  return result;
});

await call('tools.execute(missing argument)', async () => {
  const result = await composio.tools.execute('GITHUB_GET_REPO', {
    userId: 'ada',
    arguments: { owner: 'octo' },
    dangerouslySkipVersionCheck: true,
  });
  assert.equal(result.successful, false, JSON.stringify(result));
  assert.match(result.error ?? '', /repo/, JSON.stringify(result));
  return result;
});

process.exit(failures);
