/**
 * `GET /docs`: a readable reference page rendered on the server from the
 * OpenAPI document, so it says exactly what `/openapi.json` says. No script;
 * every value from the document is HTML-escaped.
 *
 * @example
 * ```ts
 * c.html(docsPage(openApiDocument()))
 * ```
 */
import { escapeHtml } from '../http/html'

/** The reference page's CSP: its own stylesheet only. */
export const DOCS_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

function schemaSummary(schema: Record<string, any> | undefined): string {
  if (!schema) return ''
  if (schema.enum) return schema.enum.map((value: unknown) => JSON.stringify(value)).join(' | ')
  if (schema.anyOf) return schema.anyOf.map(schemaSummary).join(' or ')
  if (schema.type === 'array') return `${schemaSummary(schema.items)}[]`
  return [schema.type, schema.pattern ? `matching ${schema.pattern}` : '', schema.maxLength ? `≤ ${schema.maxLength} chars` : ''].filter(Boolean).join(', ')
}

function parametersTable(parameters: Record<string, any>[] | undefined): string {
  if (!parameters?.length) return '<p>No parameters.</p>'
  const rows = parameters
    .map(
      (p) =>
        `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td>` +
        `<td>${escapeHtml(schemaSummary(p.schema))}</td><td>${escapeHtml(p.description ?? '')}</td></tr>`,
    )
    .join('')
  return `<table><thead><tr><th>name</th><th>in</th><th>required</th><th>type</th><th>allowed</th></tr></thead><tbody>${rows}</tbody></table>`
}

function responsesList(responses: Record<string, any>): string {
  return `<ul>${Object.entries(responses)
    .map(([status, response]) => `<li><code>${escapeHtml(status)}</code> ${escapeHtml(response.description ?? '')} <small>${escapeHtml(Object.keys(response.content ?? {}).join(', '))}</small></li>`)
    .join('')}</ul>`
}

/** The whole reference page. */
export function docsPage(document: Record<string, any>): string {
  const sections = Object.entries(document.paths as Record<string, Record<string, any>>)
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(
        ([method, operation]) =>
          `<section id="${escapeHtml(operation.operationId)}"><h2><code>${escapeHtml(method.toUpperCase())} ${escapeHtml(path)}</code></h2>` +
          `<p>${escapeHtml(operation.summary ?? '')}</p>${operation.description ? `<p>${escapeHtml(operation.description)}</p>` : ''}` +
          `<h3>Parameters</h3>${parametersTable(operation.parameters)}<h3>Responses</h3>${responsesList(operation.responses)}</section>`,
      ),
    )
    .join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(document.info.title)}: API reference</title><link rel="stylesheet" href="/site.css"></head>
<body><main><h1>${escapeHtml(document.info.title)}: API reference</h1>
<p>${escapeHtml(document.info.description ?? '')}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${escapeHtml(document.openapi)}). Errors share one JSON shape: <code>{"error":{"status","code","message","parameter"?,"allowed"?}}</code>.</p>
${sections}
</main></body></html>`
}
