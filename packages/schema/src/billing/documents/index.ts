export * from './document-data.js';
export * from './download-links.js';
export * from './render-pdf.js';
export * from './invoice-documents.js';
