// Why: exports (audit log, word list) are offered as a file download made from a Blob and an object
// URL, which works the same in a browser and in the app's WebView without any file-system plugin.

export const MIME = {
  csv: 'text/csv;charset=utf-8',
  json: 'application/json;charset=utf-8',
  txt: 'text/plain;charset=utf-8',
} as const;

/** Offers `text` as a download named `filename`. */
export function downloadText(filename: string, text: string, mime: string = MIME.txt): void {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  try {
    a.click();
  } finally {
    a.remove();
    // Revoking at once can cancel the download in some engines; a moment later is safe.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
