// Runs graphql-http's auditServer (the GraphQL over HTTP spec's audit suite) against a served gateway.
// Usage: node audit.mjs <url> <bearer token>. Prints each warning and error, then one JSON summary line
// {"ok": n, "warn": n, "error": n}; exits 1 when any audit is not ok.
import { auditServer } from 'graphql-http';

const [url, token] = process.argv.slice(2);
if (!url || !token) {
  console.error('usage: node audit.mjs <url> <bearer token>');
  process.exit(2);
}

const authorised = (input, init = {}) => {
  const headers = new Headers(init.headers || {});
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

const results = await auditServer({ url, fetchFn: authorised });
const counts = { ok: 0, warn: 0, error: 0 };
for (const result of results) {
  counts[result.status] += 1;
  if (result.status !== 'ok') {
    console.log(`${result.status} ${result.id} ${result.name}: ${result.reason}`);
  }
}
console.log(JSON.stringify(counts));
process.exit(counts.warn || counts.error ? 1 : 0);
