export { randomId } from '../lib/randomId.js';

/** Appends query parameters to a URL that may already have some. */
export function withQuery(url: string, params: Record<string, string | number>): string {
  const query = Object.entries(params)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
    .join('&');
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}
