/**
 * Splits an mbox file into its messages. A message starts at a "From " envelope line at the start
 * of the file or after a line break; lines that mboxrd/mboxo writers escaped as ">From " get one
 * ">" back. Bytes are handled as latin-1, which maps each byte to one character and back.
 */
export function splitMailbox(buffer: Buffer): Buffer[] {
  const text = buffer.toString('latin1');
  const starts: number[] = [];
  const envelope = /(?:^|\n)From [^\n]*\n/g;
  for (let match = envelope.exec(text); match; match = envelope.exec(text)) {
    starts.push(match.index + (match[0].startsWith('\n') ? 1 : 0));
  }
  const messages: Buffer[] = [];
  for (const [i, start] of starts.entries()) {
    const end = starts[i + 1] ?? text.length;
    const bodyStart = text.indexOf('\n', start) + 1;
    const raw = text.slice(bodyStart, end).replace(/^>(>*From )/gm, '$1');
    if (raw.trim()) messages.push(Buffer.from(raw, 'latin1'));
  }
  return messages;
}
