// The `s3rver` package ships no types; this covers the part the storage tests use.
declare module 's3rver' {
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }

  interface S3rverContext {
    method: string;
    path: string;
    query: Record<string, string | string[] | undefined>;
    status: number;
    body: unknown;
    set(name: string, value: string): void;
  }

  export default class S3rver {
    constructor(options: S3rverOptions);
    /** Where objects live; the tests wrap one of its methods. */
    readonly store: { deleteObject(bucket: string, key: string): Promise<void>; getResourcePath(bucket: string, key: string | undefined, resource: string): string };
    /** Koa's middleware list, composed when `run` is called. */
    readonly middleware: ((ctx: S3rverContext, next: () => Promise<void>) => Promise<void>)[];
    /** Starts the HTTP server; resolves with the address it is bound to. */
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
}
