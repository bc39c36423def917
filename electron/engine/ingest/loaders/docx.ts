import mammoth from 'mammoth';
import { ExtractionError, TextBuilder, type Loader } from '../extracted.js';
import { htmlToDocument } from './html.js';
import { checkDecompressedSize, messageOf, rejectCompoundFile } from './zip.js';

export const load: Loader = async ({ bytes, kind }) => {
  rejectCompoundFile(bytes, 'Word document', 'Word 97-2003 (.doc)');
  await checkDecompressedSize(bytes, 'Word document');
  let html: string;
  try {
    const result = await mammoth.convertToHtml(
      { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
      // Images are never read, and a document may not make us open files it links to.
      { convertImage: mammoth.images.imgElement(async () => ({ src: '' })), externalFileAccess: false },
    );
    // Mammoth ends each footnote with a "↑" link back to its reference: not text.
    html = result.value.replace(/<a href="#(?:footnote|endnote)-ref-[^"]*">\u2191<\/a>/g, '');
  } catch (error) {
    throw new ExtractionError('corrupt', `The Word document cannot be read: ${messageOf(error)}`);
  }
  const builder = new TextBuilder();
  htmlToDocument(html, builder);
  const doc = builder.build(kind);
  if (!doc.text) throw new ExtractionError('empty', 'The Word document has no text');
  return doc;
};
