// The GraphQL-over-HTTP conformance audit of the `graphql-http` package, against a running
// ttdn: `node graphql-http-audit.mjs URL [TOKEN]`. Exits 1 on any error or warning.
import { auditServer } from 'graphql-http';

const [url, token] = process.argv.slice(2);
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers || {});
  if (token) headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};
const results = await auditServer({ url, fetchFn });
let warnings = 0;
let errors = 0;
for (const result of results) {
  if (result.status === 'ok') continue;
  if (result.status === 'warn') warnings++;
  else errors++;
  console.log(result.status, result.id, result.name, '-', result.reason);
}
console.log(`graphql-http audit${token ? ' (signed in)' : ''}: ${results.length} audits, ${errors} errors, ${warnings} warnings`);
process.exit(errors + warnings > 0 ? 1 : 0);
