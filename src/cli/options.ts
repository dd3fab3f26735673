// Options every command accepts (parsed and validated by main.ts).

export interface CommonOptions {
  capture: string[];
  inputFormat?: 'pcap' | 'pcapng' | 'tcpdump';
  output?: string;
  filter?: string;
  failOn?: 'warning' | 'error';
  quiet: boolean;
  color?: boolean;
  timeWait: number;
  finTimeout: number;
  date?: string;
  strict: boolean;
  maxConnections?: number;
  minAge: number;
}
