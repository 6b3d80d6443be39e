// What a resolver receives for an `Upload` argument: graphql-upload-minimal's
// scalar resolves the multipart part to this promise. The file's bytes arrive
// as one stream, readable once, in the order the parts were sent.
import type { FileUpload } from 'graphql-upload-minimal';

export type UploadValue = Promise<FileUpload>;
export type { FileUpload };
