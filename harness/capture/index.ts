// Packet capture: tcpdump around an experiment, the pcap file decoded and told in plain words, and the
// spec's expectations about it checked.
export { startCapture, type CaptureOptions, type CaptureSession, type CaptureStopResult } from './tcpdump-session.js';
export { buildCaptureFilter, type FilterOptions } from './tcpdump-filter.js';
export { TCPDUMP_NOT_FOUND } from './tcpdump-messages.js';
export { readPcap, readPcapBuffer, detectPcapFormat, PcapReadError, type PcapCapture, type PcapRecord, type PcapFormat } from './read-pcap.js';
export { decodeLink, linkTypeName, type LinkFrame } from './decode-link.js';
export { decodeIp, formatIpv6, type IpHeader } from './decode-ip.js';
export { decodeTcp, decodeUdp, decodeIcmp, describeIcmp, isPortUnreachable, type TcpHeader, type PortHeader } from './decode-transport.js';
export { decodePacket, type DecodedPacket } from './decode-packet.js';
export { summarizeCapture, summarizePcap, DEFAULT_MAX_PACKETS, type SummaryOptions } from './summarize-capture.js';
export { buildPacketList, readPacketList } from './packet-list/build-packet-list.js';
export { formatEndpoint, EndpointNames } from './endpoint-names.js';
export { payloadPreview } from './payload-preview.js';
export {
  CaptureExpectationSchema,
  evaluateCaptureExpectations,
  type CaptureExpectation,
} from './capture-expectations.js';
export { PacketExpectation, CountRange } from './capture-expectation-schema.js';
export { CaptureOption } from './capture-option.js';
