/**
 * The demo page and its stylesheet, as strings. No inline script and no inline style: the page loads
 * `/widget.js` and `/site.css` from its own origin, so it runs under `script-src 'self'; style-src 'self'`.
 */

import { escapeHtml } from '../http/html'

/** The three lines a site pastes to embed the widget, for a Worker at `origin`. */
export function embedSnippet(origin: string): string {
  return [
    `<script src="${origin}/widget.js" defer></script>`,
    `<article-search endpoint="${origin}" placeholder="Search the archive"></article-search>`,
    `<style>article-search { --article-search-accent: #b3261e; --article-search-font: 16px/1.5 Georgia, serif }</style>`,
  ].join('\n')
}

/** The demo page for a Worker at `origin` (used only in the embed snippet; the page itself calls its own origin). */
export function demoPage(origin: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Edge article search</title>
<meta name="description" content="Full-text search over news articles, answered from the edge.">
<link rel="stylesheet" href="/site.css">
<script src="/widget.js" defer></script>
</head>
<body>
<main>
<h1>Edge article search</h1>
<p class="lead">Search the bundled archive: a seed article and Reuters-21578 (1987 newswire, research use only).
Results appear as you type; pick topics to filter, and use the arrow keys and Enter to choose a result.</p>
<article-search endpoint="" placeholder="Try “oil prices”, “cocoa” or “putin syria”" label="Search the archive"></article-search>
<section aria-labelledby="embed">
<h2 id="embed">How to embed this on your site</h2>
<p>Paste these three lines where the search box should go. The script is about 5&nbsp;KB gzipped, has no dependencies,
and keeps its styles in its own shadow DOM; the third line is optional theming.</p>
<pre><code>${escapeHtml(embedSnippet(origin))}</code></pre>
<p>Your site's origin must be listed in the API's <code>ALLOWED_ORIGINS</code> (or it must be <code>*</code>).
Attributes: <code>endpoint</code>, <code>placeholder</code>, <code>label</code>, <code>topics</code>, <code>limit</code>,
<code>sort</code>, <code>debounce</code>. Theming: <code>--article-search-accent</code>, <code>-font</code>,
<code>-radius</code>, <code>-bg</code>, <code>-text</code>, <code>-muted</code>, <code>-border</code>, <code>-mark-bg</code>,
<code>-mark-text</code>, <code>-focus</code>, <code>-max-height</code>. Choosing a result fires an
<code>article-select</code> event with the hit.</p>
<p>API: <a href="/search?q=oil+prices&amp;limit=3">/search</a>, <a href="/topics">/topics</a>, <a href="/health">/health</a>.</p>
</section>
</main>
</body>
</html>
`
}

export const SITE_CSS = `:root{color-scheme:light;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1b1f;background:#f6f7f9}
main{max-width:46rem;margin:0 auto;padding:2rem 1rem 4rem}
h1{font-size:1.9rem;margin:0 0 .4rem}
h2{font-size:1.2rem;margin:2.5rem 0 .5rem}
.lead{color:#444;margin:0 0 1.2rem}
pre{background:#1b1b1f;color:#f1f1f1;padding:1rem;border-radius:8px;overflow:auto;font-size:.85rem;line-height:1.45}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
a{color:#0b57d0}
`
