/**
 * HTML escaping for text that goes into HTML: snippets, the demo page and the
 * API reference page all use this one function.
 *
 * @example
 * ```ts
 * escapeHtml('<b>"AT&T"</b>') // '&lt;b&gt;&quot;AT&amp;T&quot;&lt;/b&gt;'
 * ```
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char)
}
