/** HTML for emails and pages: every string that did not come from our own templates goes through here. */
const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** The only way links enter an email: `ses:no-track` keeps SES from rewriting them for click tracking. */
export function link(href: string, text: string): string {
  return `<a ses:no-track href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
}
