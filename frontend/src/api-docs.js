// The REST API docs, served by the gateway itself: Swagger UI renders every OpenAPI document the gateway
// serves (the list is written into the page by the gateway), with no request leaving its origin.
import 'swagger-ui-dist/swagger-ui.css';
import './api-docs.css';

import SwaggerUIBundle from 'swagger-ui-dist/swagger-ui-es-bundle.js';
import SwaggerUIStandalonePreset from 'swagger-ui-dist/swagger-ui-standalone-preset.js';

// A data block (type application/json), not a script: the page's Content-Security-Policy runs no inline code.
const documents = JSON.parse(document.getElementById('openapi-documents').textContent);

SwaggerUIBundle({
  dom_id: '#swagger-ui',
  urls: documents.map(({ name, url }) => ({ name, url })),
  'urls.primaryName': documents[documents.length - 1]?.name,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  plugins: [SwaggerUIBundle.plugins.DownloadUrl],
  layout: 'StandaloneLayout',
  deepLinking: true,
  // The default sends every document to a public validator service for a badge: not on this network.
  validatorUrl: null,
  // "Authorize" keeps the token in the page's memory only, never in localStorage.
  persistAuthorization: false,
  displayRequestDuration: true,
  defaultModelsExpandDepth: 0,
});
