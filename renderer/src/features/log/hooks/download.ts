/**
 * Saves text as a file the way a web page does: a Blob URL on an <a download>. Chromium saves it to the
 * Downloads folder; Electron's renderer gets a save dialog (its default will-download), and neither needs the
 * CSP to allow anything (a download is not a fetch or a navigation).
 */
export function downloadText(fileName: string, text: string, mime: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${mime};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started reading the Blob by now; keep the URL a while for slow disks.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
