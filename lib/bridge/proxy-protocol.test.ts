import { describe, expect, it } from "vitest";
import { ProxyHeaderError, parseProxyHeader } from "./proxy-protocol";

const V2 = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const v2 = (command: number, family: number, addresses: number[]) => Buffer.concat([V2, Buffer.from([0x20 | command, family, 0, addresses.length]), Buffer.from(addresses)]);

describe("PROXY protocol header", () => {
  it("v1: TCP4, TCP6 and UNKNOWN, with the bytes after it left alone", () => {
    const line = "PROXY TCP4 198.51.100.7 10.0.0.1 51000 993\r\n";
    expect(parseProxyHeader(Buffer.from(`${line}\x16\x03\x01`))).toEqual({ clientIp: "198.51.100.7", length: line.length });
    expect(parseProxyHeader(Buffer.from("PROXY TCP6 2001:db8::7 2001:db8::1 51000 993\r\n"))?.clientIp).toBe("2001:db8::7");
    expect(parseProxyHeader(Buffer.from("PROXY UNKNOWN\r\n"))).toEqual({ clientIp: null, length: 15 });
    expect(parseProxyHeader(Buffer.from("PROXY TCP4 198.51"))).toBeNull();
  });

  it("v2: PROXY over IPv4 and IPv6, LOCAL (the balancer's health check)", () => {
    const ipv4 = v2(1, 0x11, [198, 51, 100, 7, 10, 0, 0, 1, 0xc7, 0x38, 0x03, 0xe1]);
    expect(parseProxyHeader(Buffer.concat([ipv4, Buffer.from("EHLO")]))).toEqual({ clientIp: "198.51.100.7", length: 28 });
    const six = [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 7, 0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1, 0, 1, 0, 2];
    expect(parseProxyHeader(v2(1, 0x21, six))?.clientIp).toBe("2001:db8::7");
    expect(parseProxyHeader(v2(0, 0, []))).toEqual({ clientIp: null, length: 16 });
    expect(parseProxyHeader(ipv4.subarray(0, 20))).toBeNull();
  });

  it("anything else is refused", () => {
    expect(() => parseProxyHeader(Buffer.from("EHLO printer\r\n"))).toThrow(ProxyHeaderError);
    expect(() => parseProxyHeader(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01]))).toThrow(ProxyHeaderError);
    expect(() => parseProxyHeader(Buffer.from("PROXY TCP4 not-an-ip 10.0.0.1 1 2\r\n"))).toThrow(ProxyHeaderError);
  });
});
