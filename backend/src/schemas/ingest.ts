import { Type, type Static } from '@sinclair/typebox';

export const TailerState = {
  /** Restoring saved positions. */
  starting: 'starting',
  /** The path names no file (yet); rotated files may still be read. */
  waiting: 'waiting',
  following: 'following',
  /** The pipeline refused the last batch; it is being retried. */
  retrying: 'retrying',
  stopped: 'stopped',
} as const;
export type TailerState = (typeof TailerState)[keyof typeof TailerState];

const OpenFileStatus = Type.Object({
  inode: Type.String({ description: 'inode number (text: it may not fit a double)' }),
  size: Type.Integer({ minimum: 0 }),
  offset: Type.Integer({ minimum: 0, description: 'just after the last line the pipeline committed' }),
  readOffset: Type.Integer({ minimum: 0, description: 'bytes read (uncommitted lines and a line in progress)' }),
  rotated: Type.Boolean({ description: 'the path names another file now; this one is read until idle' }),
});

export const FileStatus = Type.Object({
  path: Type.String(),
  jail: Type.Union([Type.String(), Type.Null()]),
  state: Type.Union(Object.values(TailerState).map((s) => Type.Literal(s))),
  files: Type.Array(OpenFileStatus, { description: 'oldest first; the last is the file at the path unless rotated' }),
  bytesBehind: Type.Integer({ minimum: 0, description: 'written and not committed, over all open files' }),
  lagSeconds: Type.Number({ minimum: 0, description: 'since every complete line was last committed; 0: caught up' }),
  lines: Type.Integer({ minimum: 0 }),
  events: Type.Integer({ minimum: 0, description: 'valid events committed by the pipeline' }),
  rejected: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: 'refused lines by reason' }),
  rotations: Type.Integer({ minimum: 0 }),
  truncations: Type.Integer({ minimum: 0 }),
  sinkFailures: Type.Integer({ minimum: 0 }),
  lastEventAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastError: Type.Union([
    Type.Object({ message: Type.String(), at: Type.String({ format: 'date-time' }) }),
    Type.Null(),
  ]),
});
export type FileStatus = Static<typeof FileStatus>;

export const IngestStatusResponse = Type.Object({
  enabled: Type.Boolean({ description: 'false when ingest.files is empty' }),
  stateFile: Type.Union([Type.String(), Type.Null()]),
  files: Type.Array(FileStatus),
});
export type IngestStatus = Static<typeof IngestStatusResponse>;
