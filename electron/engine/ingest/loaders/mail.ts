import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type Attachment, type EmailAddress } from 'mailparser';
import type { DocumentKind } from '../../../shared/library.js';
import { SNIFF_LENGTH, detectKind, extensionOf } from '../detect.js';
import { ExtractionError, TextBuilder, type ExtractedDocument, type ExtractedPart, type Loader } from '../extracted.js';
import { nonMailLoaderFor } from './registry.js';
import { splitMailbox } from './mbox.js';

/** Messages inside attachments inside messages... stop here. */
const MAX_DEPTH = 3;

/**
 * E-mail: an .eml file is one message; an .mbox file holds many, each indexed as a document of
 * its own under the mailbox. A message's text starts with its From, To, Date and Subject; each
 * attachment becomes a child document read by its own format's loader, cited as
 * "message > attachment".
 */
export const load: Loader = async ({ bytes, kind, extension, ocr = false }) => {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (extension === 'mbox' || extension === 'mbx' || (extension !== 'eml' && buffer.subarray(0, 5).toString('latin1') === 'From ')) return mailbox(buffer, kind, ocr);
  const message = await readMessage(buffer, 0, ocr);
  if (message.truncated) message.document.note = { reason: 'truncated', message: 'The message is cut off; what it holds up to the cut is indexed' };
  return { ...message.document, parts: message.parts };
};

async function mailbox(buffer: Buffer, kind: DocumentKind, ocr: boolean): Promise<ExtractedDocument> {
  const raws = splitMailbox(buffer);
  if (raws.length === 0) throw new ExtractionError('empty', 'The mailbox holds no message');
  const parts: ExtractedPart[] = [];
  let complete = 0;
  let cut = 0;
  for (const [i, raw] of raws.entries()) {
    const key = `m${i + 1}`;
    let message: Message;
    try {
      message = await readMessage(raw, 0, ocr);
    } catch (error) {
      parts.push({ key, label: `message ${i + 1}`, kind: 'email', size: raw.length, content: { status: 'failed', reason: 'corrupt', message: `The message cannot be read: ${messageOf(error)}` } });
      continue;
    }
    if (message.truncated) {
      cut++;
      const where = i === raws.length - 1 ? 'the mailbox ends inside it' : 'it is incomplete';
      parts.push({ key, label: message.label, kind: 'email', size: raw.length, meta: message.meta, content: { status: 'failed', reason: 'truncated', message: `The message is cut off: ${where}` } });
      continue;
    }
    complete++;
    parts.push({ key, label: message.label, kind: 'email', size: raw.length, meta: message.meta, content: { document: message.document }, parts: message.parts });
  }
  const doc: ExtractedDocument = { kind, text: '', blocks: [], lineAddressable: false, parts };
  if (cut > 0) doc.note = { reason: 'truncated', message: `The mailbox is cut off inside a message; the ${complete} complete message${complete === 1 ? ' is' : 's are'} indexed` };
  return doc;
}

interface Message {
  label: string;
  meta: Record<string, string>;
  document: ExtractedDocument;
  parts: ExtractedPart[];
  truncated: boolean;
}

async function readMessage(raw: Buffer, depth: number, ocr: boolean): Promise<Message> {
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  const subject = clean(parsed.subject ?? '') || '(no subject)';
  const meta: Record<string, string> = {
    from: addresses(parsed.from),
    to: addresses(parsed.to),
    date: parsed.date && !Number.isNaN(parsed.date.getTime()) ? `${parsed.date.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '',
    subject,
  };
  const attachments = parsed.attachments.filter((a) => !a.related || !a.contentType.startsWith('image/'));
  const header = [`From: ${meta.from}`, `To: ${meta.to}`];
  const cc = addresses(parsed.cc);
  if (cc) header.push(`Cc: ${cc}`);
  header.push(`Date: ${meta.date}`, `Subject: ${subject}`);
  if (attachments.length > 0) header.push(`Attachments: ${attachments.map((a, i) => attachmentName(a, i)).join(', ')}`);

  const builder = new TextBuilder();
  builder.add(header.join('\n'), { headingPath: [subject] });
  const body = parsed.text ?? '';
  for (const paragraph of body.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)) builder.add(paragraph, { headingPath: [subject] });

  const parts: ExtractedPart[] = [];
  for (const [i, attachment] of attachments.entries()) parts.push(await attachmentPart(attachment, i, depth, ocr));
  return { label: subject, meta, document: builder.build('email'), parts, truncated: isTruncated(raw) };
}

async function attachmentPart(attachment: Attachment, index: number, depth: number, ocr: boolean): Promise<ExtractedPart> {
  const label = attachmentName(attachment, index);
  const key = `a${index + 1}`;
  const bytes = attachment.content;
  const base = { key, label, size: bytes.length };
  const name = attachment.contentType === 'message/rfc822' && !/\.eml$/i.test(label) ? `${label}.eml` : label;
  const detection = await detectKind(name, bytes.subarray(0, SNIFF_LENGTH), bytes.length);
  if (!detection.supported) return { ...base, kind: null, content: { status: 'skipped', reason: detection.reason, message: detection.message } };
  const kind = detection.kind;
  try {
    if (kind === 'email') {
      if (depth >= MAX_DEPTH) return { ...base, kind, content: { status: 'skipped', reason: 'unsupported', message: 'Messages nested this deep are not read' } };
      const message = await readMessage(bytes, depth + 1, ocr);
      return { ...base, kind, meta: message.meta, content: { document: message.document }, parts: message.parts };
    }
    const load = await nonMailLoaderFor(kind);
    const document = await load({ kind, bytes, path: label, extension: extensionOf(name), ocr });
    // A scanned attachment is recognised from its own bytes, which travel with the request.
    if (document.ocr?.length) document.ocrSource = { bytes: new Uint8Array(bytes), hash: createHash('sha256').update(bytes).digest('hex') };
    return { ...base, kind, content: { document } };
  } catch (error) {
    if (error instanceof ExtractionError) {
      const status = error.reason === 'corrupt' || error.reason === 'truncated' ? 'failed' : 'skipped';
      return { ...base, kind, content: { status, reason: error.reason, message: error.message } };
    }
    return { ...base, kind, content: { status: 'failed', reason: 'corrupt', message: `Could not read this attachment: ${messageOf(error)}` } };
  }
}

/**
 * A message is cut off when its header never ends or a multipart body lacks its closing boundary:
 * what a mailbox or a download interrupted mid-message leaves.
 */
function isTruncated(raw: Buffer): boolean {
  const text = raw.toString('latin1');
  const headerEnd = text.search(/\r?\n\r?\n/);
  if (headerEnd === -1) return true;
  const contentType = /^content-type:((?:[^\n]*\n[ \t])*[^\n]*)/im.exec(text.slice(0, headerEnd + 1))?.[1] ?? '';
  if (!/multipart\//i.test(contentType)) return false;
  const boundary = /boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
  const value = boundary?.[1] ?? boundary?.[2];
  return value ? !text.includes(`--${value}--`, headerEnd) : false;
}

function attachmentName(attachment: Attachment, index: number): string {
  const name = clean(attachment.filename ?? '');
  if (name) return name.replace(/[/\\]/g, '_');
  return attachment.contentType === 'message/rfc822' ? `message-${index + 1}.eml` : `attachment-${index + 1}`;
}

/** "Name <address>" without the quotes MIME needs, groups flattened. */
function addresses(value: AddressObject | AddressObject[] | undefined): string {
  if (!value) return '';
  const shown: string[] = [];
  const visit = (list: EmailAddress[]): void => {
    for (const a of list) {
      if (a.group) visit(a.group);
      else if (a.name && a.address) shown.push(`${a.name} <${a.address}>`);
      else if (a.address || a.name) shown.push(a.address || a.name);
    }
  };
  for (const object of Array.isArray(value) ? value : [value]) visit(object.value);
  return clean(shown.join(', '));
}

function clean(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
