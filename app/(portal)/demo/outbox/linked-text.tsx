// Plain text with its http(s) links made clickable; everything else stays text (never HTML).

const URL_RE = /https?:\/\/[^\s<>"']+/g;
// A sentence's closing punctuation is not part of the link.
const TRAILING = /[.,;:!?)\]]+$/;

export function LinkedText({ text }: { text: string }) {
  const parts: React.ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_RE)) {
    const start = match.index;
    const url = match[0].replace(TRAILING, "");
    parts.push(text.slice(last, start));
    parts.push(<a key={start} href={url} className="text-brand-700 underline" rel="noreferrer">{url}</a>);
    last = start + url.length;
  }
  parts.push(text.slice(last));
  return <>{parts}</>;
}
