// Starts Swagger UI on /docs. A file of its own, not a script in the page: the pages' Content
// Security Policy runs no inline script. The page names the OpenAPI document in data-openapi-url.
"use strict";

const element = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({
  url: element.dataset.openapiUrl,
  domNode: element,
  deepLinking: true,
  validatorUrl: null,
  persistAuthorization: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  layout: "BaseLayout",
});
