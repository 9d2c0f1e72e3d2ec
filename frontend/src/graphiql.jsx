// GraphiQL for DfE analysts, served by the gateway itself: every script, style sheet, font and worker
// comes from the gateway's origin, so the page works on a network that blocks public CDNs.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';
import './graphiql.css';

import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import { useGraphiQL, useGraphiQLActions } from '@graphiql/react';

import { examples } from './examples/index.js';
import { checkToken, forgetToken, post, saveToken, savedToken } from './token.js';

const explorer = explorerPlugin();

function ExamplesIcon() {
  return (
    <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.5">
      <path d="M5 4h11l3 3v13H5z" />
      <path d="M8 10h8M8 14h8M8 18h5" />
    </svg>
  );
}

function ExamplesContent() {
  const { addTab } = useGraphiQLActions();
  const queryEditor = useGraphiQL((state) => state.queryEditor);
  const variableEditor = useGraphiQL((state) => state.variableEditor);
  const open = (example) => {
    addTab();
    // addTab empties the editors of the new tab; fill them once it is the active one.
    window.setTimeout(() => {
      queryEditor?.setValue(example.query);
      variableEditor?.setValue(example.variables);
    });
  };
  return (
    <section className="gateway-examples" aria-label="Examples">
      <div className="graphiql-doc-explorer-title">Examples</div>
      <p>Documents for the questions analysts ask. Each opens in a new tab; fill in its variables, then run it.</p>
      <ul>
        {examples.map((example) => (
          <li key={example.title}>
            <button type="button" className="gateway-example" onClick={() => open(example)}>
              {example.title}
            </button>
            <p>{example.description}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

const examplesPlugin = { title: 'Examples', icon: ExamplesIcon, content: ExamplesContent };

const defaultTabs = examples.map(({ query, variables }) => ({ query, variables }));

function fetcherFor(token) {
  return async (params, options) => {
    const response = await post(token, params, options?.headers);
    return response.json();
  };
}

function TokenForm({ token, onToken }) {
  const [draft, setDraft] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  if (token) {
    return (
      <div className="gateway-token">
        <span className="gateway-token-state">Token given for this browser session.</span>
        <button
          type="button"
          onClick={() => {
            forgetToken();
            onToken('');
          }}
        >
          Forget token
        </button>
      </div>
    );
  }

  const submit = async (event) => {
    event.preventDefault();
    const value = draft.trim();
    if (!value) {
      setError('Paste your analyst token first.');
      return;
    }
    setBusy(true);
    const problem = await checkToken(value);
    setBusy(false);
    setError(problem);
    if (problem === null) {
      saveToken(value);
      onToken(value);
    }
  };

  return (
    <form className="gateway-token" onSubmit={submit}>
      <label htmlFor="gateway-token-input">Analyst token</label>
      <input
        id="gateway-token-input"
        type="password"
        autoComplete="off"
        spellCheck="false"
        value={draft}
        onChange={(event) => setDraft(event.target.value)}
        placeholder="Paste the token you were given"
      />
      <button type="submit" disabled={busy}>
        Use token
      </button>
      {error && (
        <span role="alert" className="gateway-token-error">
          {error}
        </span>
      )}
    </form>
  );
}

function Welcome() {
  return (
    <main className="gateway-welcome">
      <h1>GraphiQL for DfE analysts</h1>
      <p>
        Give your analyst token above to explore every lead provider's data, read-only. The token is kept for this
        browser session only; the schema and its documentation load as soon as it is given.
      </p>
      <p>Example documents for common questions then open as tabs, and from the Examples button on the left:</p>
      <ul>
        {examples.map((example) => (
          <li key={example.title}>{example.title}</li>
        ))}
      </ul>
    </main>
  );
}

function App() {
  const [token, setToken] = useState(savedToken);
  return (
    <div className="gateway-page">
      <header className="gateway-header">
        <span className="gateway-title">Lead provider gateway</span>
        <TokenForm token={token} onToken={setToken} />
        <nav>
          <a href="/api/docs">REST API docs</a>
        </nav>
      </header>
      <div className="gateway-body">
        {token ? (
          // A new token is a new GraphiQL: the schema is fetched again with it.
          <GraphiQL
            key={token}
            fetcher={fetcherFor(token)}
            plugins={[examplesPlugin, explorer]}
            defaultTabs={defaultTabs}
            shouldPersistHeaders={false}
          />
        ) : (
          <Welcome />
        )}
      </div>
    </div>
  );
}

createRoot(document.getElementById('graphiql')).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
