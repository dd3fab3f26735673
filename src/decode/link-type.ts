// Link-layer type numbers (LINKTYPE_* as stored in pcap and pcapng files) that the decoder knows.

export const LINKTYPE_NULL = 0;          // BSD loopback: 4-byte address family, host byte order
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_PPP = 9;
export const LINKTYPE_RAW_12 = 12;       // DLT_RAW as some BSDs number it
export const LINKTYPE_RAW_14 = 14;       // DLT_RAW as other BSDs number it
export const LINKTYPE_PPP_HDLC = 50;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_C_HDLC = 104;      // Cisco HDLC: address, control, ethertype
export const LINKTYPE_LOOP = 108;        // OpenBSD loopback: address family in network byte order
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_ARCNET_LINUX = 129;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_IPOIB = 242;
export const LINKTYPE_LINUX_SLL2 = 276;

const NAMES = new Map<number, string>([
  [LINKTYPE_NULL, 'NULL'], [LINKTYPE_ETHERNET, 'EN10MB'], [LINKTYPE_PPP, 'PPP'],
  [LINKTYPE_RAW_12, 'RAW'], [LINKTYPE_RAW_14, 'RAW'], [LINKTYPE_PPP_HDLC, 'PPP_HDLC'], [LINKTYPE_RAW, 'RAW'],
  [LINKTYPE_C_HDLC, 'C_HDLC'], [LINKTYPE_LOOP, 'LOOP'], [LINKTYPE_LINUX_SLL, 'LINUX_SLL'],
  [LINKTYPE_ARCNET_LINUX, 'ARCNET_LINUX'], [LINKTYPE_IPV4, 'IPV4'], [LINKTYPE_IPV6, 'IPV6'],
  [LINKTYPE_IPOIB, 'IPOIB'], [LINKTYPE_LINUX_SLL2, 'LINUX_SLL2'],
  // Common ones we do not decode, named so that the warning is readable.
  [6, 'IEEE802_5'], [105, 'IEEE802_11'], [127, 'IEEE802_11_RADIOTAP'], [192, 'PPI'], [220, 'USB_LINUX_MMAPPED'],
  [239, 'NFLOG'], [249, 'NETANALYZER'], [263, 'BLUETOOTH_LE_LL'],
]);

/** `EN10MB`, or `link type 999` for numbers we have no name for. */
export function linkTypeName(linkType: number): string {
  return NAMES.get(linkType) ?? `link type ${linkType}`;
}

export function isDecodedLinkType(linkType: number): boolean {
  switch (linkType) {
    case LINKTYPE_NULL: case LINKTYPE_ETHERNET: case LINKTYPE_PPP: case LINKTYPE_RAW_12: case LINKTYPE_RAW_14:
    case LINKTYPE_PPP_HDLC: case LINKTYPE_RAW: case LINKTYPE_C_HDLC: case LINKTYPE_LOOP: case LINKTYPE_LINUX_SLL:
    case LINKTYPE_ARCNET_LINUX: case LINKTYPE_IPV4: case LINKTYPE_IPV6: case LINKTYPE_IPOIB: case LINKTYPE_LINUX_SLL2:
      return true;
    default:
      return false;
  }
}
