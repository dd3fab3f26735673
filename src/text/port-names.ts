// Text stage helper: service names that tcpdump prints for ports without -n (`localhost.http`,
// `host.ddi-tcp-1`) -> port numbers, so that flow keys stay numeric.
//
// Choice (issue 3): a name we know from the usual /etc/services (Debian netbase, the file tcpdump
// reads through getservent on most Linux systems, plus a few IANA names that RHEL-family systems
// print for common ports) becomes its real number, because that is unambiguous and lets a text input
// line up with a binary capture of the same traffic. Any other name cannot be resolved back (it came
// from the services file of the machine that printed it), so it gets a stable synthetic number
// >= 65536: the same name always maps to the same number within this process, `portName(n)` gives the
// name back for output, and no synthetic number can collide with a real port.

/** First synthetic port number; real ports are 0..65535. */
export const SYNTHETIC_PORT_BASE = 65536;

// TCP entries of Debian netbase's /etc/services (name and aliases), and IANA names seen in output of
// hosts with the full IANA list (RHEL's /etc/services) for ports that Debian does not name.
const KNOWN: ReadonlyArray<readonly [number, string]> = [
  [1, 'tcpmux'], [7, 'echo'], [9, 'discard'], [9, 'sink'], [9, 'null'], [11, 'systat'], [11, 'users'],
  [13, 'daytime'], [15, 'netstat'], [17, 'qotd'], [17, 'quote'], [19, 'chargen'], [19, 'ttytst'],
  [19, 'source'], [20, 'ftp-data'], [21, 'ftp'], [22, 'ssh'], [23, 'telnet'], [25, 'smtp'], [25, 'mail'],
  [37, 'time'], [37, 'timserver'], [43, 'whois'], [43, 'nicname'], [49, 'tacacs'], [53, 'domain'],
  [70, 'gopher'], [79, 'finger'], [80, 'http'], [80, 'www'], [88, 'kerberos'], [88, 'kerberos5'],
  [88, 'krb5'], [102, 'iso-tsap'], [102, 'tsap'], [104, 'acr-nema'], [106, 'poppassd'], [110, 'pop3'],
  [110, 'pop-3'], [111, 'sunrpc'], [111, 'portmapper'], [113, 'auth'], [113, 'authentication'],
  [113, 'tap'], [113, 'ident'], [119, 'nntp'], [119, 'readnews'], [119, 'untp'], [135, 'epmap'],
  [135, 'loc-srv'], [139, 'netbios-ssn'], [143, 'imap2'], [143, 'imap'], [161, 'snmp'], [162, 'snmp-trap'],
  [162, 'snmptrap'], [163, 'cmip-man'], [164, 'cmip-agent'], [174, 'mailq'], [179, 'bgp'], [199, 'smux'],
  [209, 'qmtp'], [210, 'z3950'], [210, 'wais'], [345, 'pawserv'], [346, 'zserv'], [369, 'rpc2portmap'],
  [370, 'codaauth2'], [389, 'ldap'], [427, 'svrloc'], [443, 'https'], [444, 'snpp'], [445, 'microsoft-ds'],
  [464, 'kpasswd'], [465, 'submissions'], [465, 'ssmtp'], [465, 'smtps'], [487, 'saft'], [512, 'exec'],
  [513, 'login'], [514, 'shell'], [514, 'cmd'], [515, 'printer'], [515, 'spooler'], [538, 'gdomap'],
  [540, 'uucp'], [540, 'uucpd'], [543, 'klogin'], [544, 'kshell'], [544, 'krcmd'], [548, 'afpovertcp'],
  [554, 'rtsp'], [563, 'nntps'], [563, 'snntp'], [587, 'submission'], [607, 'nqs'], [628, 'qmqp'],
  [631, 'ipp'], [636, 'ldaps'], [646, 'ldp'], [655, 'tinc'], [706, 'silc'], [749, 'kerberos-adm'],
  [750, 'kerberos4'], [750, 'kerberos-iv'], [750, 'kdc'], [751, 'kerberos-master'], [754, 'krb-prop'],
  [754, 'krb_prop'], [754, 'krb5_prop'], [775, 'moira-db'], [775, 'moira_db'], [777, 'moira-update'],
  [777, 'moira_update'], [783, 'spamd'], [853, 'domain-s'], [871, 'supfilesrv'], [873, 'rsync'],
  [989, 'ftps-data'], [990, 'ftps'], [992, 'telnets'], [993, 'imaps'], [995, 'pop3s'], [1080, 'socks'],
  [1093, 'proofd'], [1094, 'rootd'], [1099, 'rmiregistry'], [1127, 'supfiledbg'], [1178, 'skkserv'],
  [1194, 'openvpn'], [1236, 'rmtcfg'], [1313, 'xtel'], [1314, 'xtelw'], [1352, 'lotusnote'],
  [1352, 'lotusnotes'], [1433, 'ms-sql-s'], [1524, 'ingreslock'], [1645, 'datametrics'],
  [1645, 'old-radius'], [1646, 'sa-msg-port'], [1646, 'old-radacct'], [1649, 'kermit'], [1677, 'groupwise'],
  [1723, 'pptp'], [1812, 'radius'], [1813, 'radius-acct'], [1813, 'radacct'], [2000, 'cisco-sccp'],
  [2049, 'nfs'], [2086, 'gnunet'], [2101, 'rtcm-sc104'], [2119, 'gsigatekeeper'], [2121, 'iprop'],
  [2135, 'gris'], [2401, 'cvspserver'], [2430, 'venus'], [2431, 'venus-se'], [2432, 'codasrv'],
  [2433, 'codasrv-se'], [2583, 'mon'], [2600, 'zebrasrv'], [2601, 'zebra'], [2602, 'ripd'],
  [2603, 'ripngd'], [2604, 'ospfd'], [2605, 'bgpd'], [2606, 'ospf6d'], [2607, 'ospfapi'], [2608, 'isisd'],
  [2628, 'dict'], [2792, 'f5-globalsite'], [2811, 'gsiftp'], [2947, 'gpsd'], [3050, 'gds-db'],
  [3050, 'gds_db'], [3205, 'isns'], [3260, 'iscsi-target'], [3306, 'mysql'], [3389, 'ms-wbt-server'],
  [3493, 'nut'], [3632, 'distcc'], [3689, 'daap'], [3690, 'svn'], [3690, 'subversion'], [4031, 'suucp'],
  [4094, 'sysrqd'], [4190, 'sieve'], [4353, 'f5-iquery'], [4369, 'epmd'], [4373, 'remctl'],
  [4460, 'ntske'], [4557, 'fax'], [4559, 'hylafax'], [4691, 'mtn'], [4899, 'radmin-port'], [4949, 'munin'],
  [4949, 'lrrd'], [5000, 'commplex-main'], [5001, 'commplex-link'], [5060, 'sip'], [5061, 'sip-tls'],
  [5222, 'xmpp-client'], [5222, 'jabber-client'], [5269, 'xmpp-server'], [5269, 'jabber-server'],
  [5308, 'cfengine'], [5432, 'postgresql'], [5432, 'postgres'], [5556, 'freeciv'], [5556, 'rptp'],
  [5666, 'nrpe'], [5667, 'nsca'], [5671, 'amqps'], [5672, 'amqp'], [5680, 'canna'], [6000, 'x11'],
  [6000, 'x11-0'], [6001, 'x11-1'], [6002, 'x11-2'], [6003, 'x11-3'], [6004, 'x11-4'], [6005, 'x11-5'],
  [6006, 'x11-6'], [6007, 'x11-7'], [6346, 'gnutella-svc'], [6347, 'gnutella-rtr'], [6379, 'redis'],
  [6444, 'sge-qmaster'], [6444, 'sge_qmaster'], [6445, 'sge-execd'], [6445, 'sge_execd'],
  [6446, 'mysql-proxy'], [6514, 'syslog-tls'], [6566, 'sane-port'], [6566, 'sane'], [6566, 'saned'],
  [6667, 'ircd'], [6697, 'ircs-u'], [7000, 'bbs'], [7100, 'font-service'], [7100, 'xfs'],
  [8000, 'irdmi'], [8080, 'http-alt'], [8080, 'webcache'], [8140, 'puppet'], [8888, 'ddi-tcp-1'],
  [9000, 'cslistener'], [9101, 'bacula-dir'], [9102, 'bacula-fd'], [9103, 'bacula-sd'], [9667, 'xmms2'],
  [10050, 'zabbix-agent'], [10051, 'zabbix-trapper'], [10080, 'amanda'], [10809, 'nbd'], [11112, 'dicom'],
  [11371, 'hkp'], [17500, 'db-lsp'], [22125, 'dcap'], [22128, 'gsidcap'], [22273, 'wnn6'],
];

const byName = new Map<string, number>();
for (const [port, name] of KNOWN) if (!byName.has(name)) byName.set(name, port);
const syntheticNames: string[] = [];

/** Port number for a service name as tcpdump printed it (see the file comment for the choice). */
export function portFromName(name: string): number {
  const known = byName.get(name);
  if (known !== undefined) return known;
  const n = SYNTHETIC_PORT_BASE + syntheticNames.length;
  syntheticNames.push(name);
  byName.set(name, n);
  return n;
}

/** The service name behind a synthetic port number; undefined for a real port (print the number). */
export function portName(n: number): string | undefined {
  return n >= SYNTHETIC_PORT_BASE ? syntheticNames[n - SYNTHETIC_PORT_BASE] : undefined;
}

export function isSyntheticPort(n: number): boolean {
  return n >= SYNTHETIC_PORT_BASE;
}
