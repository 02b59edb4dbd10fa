// Why: copying the push address (server, key, URLs) goes through this one function, so component tests
// can stub it, and a page without the Clipboard API (an insecure context, an old WebView) fails with
// words rather than a TypeError.
export async function copyText(text: string): Promise<void> {
  const clipboard = typeof navigator === 'undefined' ? undefined : navigator.clipboard;
  if (typeof clipboard?.writeText !== 'function') throw new Error('the clipboard is not available here');
  await clipboard.writeText(text);
}
