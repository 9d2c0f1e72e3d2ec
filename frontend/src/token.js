// The analyst's token lives in sessionStorage: it is gone when the browser session ends and never
// reaches localStorage (where GraphiQL keeps tabs and history).
const KEY = 'gateway.token';

export function savedToken() {
  return window.sessionStorage.getItem(KEY) || '';
}

export function saveToken(token) {
  window.sessionStorage.setItem(KEY, token);
}

export function forgetToken() {
  window.sessionStorage.removeItem(KEY);
}

export const GRAPHQL_URL = '/graphql';

export async function post(token, body, extraHeaders = {}) {
  const response = await fetch(GRAPHQL_URL, {
    method: 'POST',
    headers: {
      ...extraHeaders,
      Accept: 'application/json',
      'Content-Type': 'application/json',
      Authorization: `Bearer ${token}`,
    },
    body: JSON.stringify(body),
    credentials: 'omit',
  });
  return response;
}

/** null when the gateway accepts the token, else a message for the analyst. */
export async function checkToken(token) {
  let response;
  try {
    response = await post(token, { query: '{ me { role } }' });
  } catch {
    return 'The gateway could not be reached.';
  }
  if (response.status === 401) return 'The gateway did not accept this token.';
  if (response.status === 429) return 'This token has made too many requests: try again in a few minutes.';
  if (!response.ok) return `The gateway answered ${response.status}.`;
  return null;
}
