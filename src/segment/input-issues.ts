// Problems the analysis survives (damaged records, garbage lines, unknown link types): counted by
// code, the first few of each code kept with their position, all reported at the end.

export type IssueCode =
  | 'truncated-file'        // the input ends inside a record or block
  | 'bad-record-length'     // caplen beyond any sane limit or beyond the block
  | 'bad-block'             // pcapng block length/type inconsistent
  | 'bad-header'            // a record header that cannot be right (reader stops there)
  | 'unsupported-link-type' // records of a link type we do not decode (counted per type)
  | 'truncated-packet'      // a header cut by snaplen before TCP could be read
  | 'bad-ip-header'
  | 'bad-tcp-header'
  | 'ip-fragment'           // a non-first fragment: no TCP header in it
  | 'unparsable-line'       // tcpdump text: a line we could not read
  | 'gzip-error'            // the gzip stream is damaged or cut short
  | 'clock-went-backwards'  // merged inputs out of order beyond tolerance
  | 'missing-date'          // text input with time of day only
  | 'other';

export interface InputIssue {
  code: IssueCode;
  /** Input name as given on the command line (`-` for stdin). */
  input: string;
  /** 1-based record (pcap/pcapng) number, or 0 when not about one record. */
  record: number;
  /** Byte offset in the (decompressed) input, or -1. */
  byteOffset: number;
  /** 1-based line number for text input, or 0. */
  line: number;
  /** What was expected and what was found. */
  detail: string;
}

export class IssueLog {
  /** Kept in full up to this many per code; the rest are only counted. */
  static readonly KEEP_PER_CODE = 20;
  readonly counts = new Map<IssueCode, number>();
  readonly kept: InputIssue[] = [];
  /** Counts of skipped non-TCP/unsupported things, e.g. `link-type 105`, `ipv4 proto 17`. */
  readonly skipped = new Map<string, number>();

  add(code: IssueCode, input: string, record: number, byteOffset: number, line: number, detail: string): void {
    const n = (this.counts.get(code) ?? 0) + 1;
    this.counts.set(code, n);
    if (n <= IssueLog.KEEP_PER_CODE) this.kept.push({ code, input, record, byteOffset, line, detail });
  }

  skip(what: string): void {
    this.skipped.set(what, (this.skipped.get(what) ?? 0) + 1);
  }

  get total(): number {
    let t = 0;
    for (const n of this.counts.values()) t += n;
    return t;
  }
}

/** One-line description of an issue, for stderr: `"file.pcap": record 812 at byte 91233: detail`. */
export function formatIssue(i: InputIssue): string {
  const where: string[] = [];
  if (i.line > 0) where.push(`line ${i.line}`);
  if (i.record > 0) where.push(`record ${i.record}`);
  if (i.byteOffset >= 0) where.push(`byte offset ${i.byteOffset}`);
  return `${JSON.stringify(i.input)}${where.length ? ': ' + where.join(', ') : ''}: ${i.code}: ${i.detail}`;
}
