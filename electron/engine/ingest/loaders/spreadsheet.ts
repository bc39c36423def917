import type { Loader } from '../extracted.js';

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/** XLSX/XLSM and ODS share the kind; the archive's content (an OpenDocument mimetype entry) tells them apart. */
export const load: Loader = async (input) => {
  const { bytes } = input;
  const isZip = ZIP_MAGIC.every((b, i) => bytes[i] === b);
  const looksOds = isZip && Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 200)).includes('application/vnd.oasis.opendocument.spreadsheet');
  const loader = looksOds || (!isZip && input.extension === 'ods') ? await import('./ods.js') : await import('./xlsx.js');
  return loader.load(input);
};
