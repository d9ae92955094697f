// The test CA and the certificates it issues, checked the way clients check them: node's X509
// parser, and a real TLS handshake that trusts only the CA.
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { createCertificateAuthority, issueCertificate, type CertificateAuthority } from '../../harness/fixtures/certificates.js';

/**
 * Connects to a TLS server on loopback that presents `server`, trusting only `ca` and checking the
 * certificate against `name` as a client that dialled that name would; resolves with how it went.
 */
async function handshake(ca: string, server: { key: string; cert: string }, name: string): Promise<string> {
  const listener = tls.createServer(server, (socket) => socket.end());
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  try {
    const { port } = listener.address() as AddressInfo;
    return await new Promise<string>((resolve) => {
      const client = tls.connect({ host: '127.0.0.1', port, ca, checkServerIdentity: (_host, peer) => tls.checkServerIdentity(name, peer) });
      client.once('secureConnect', () => {
        resolve('verified');
        client.destroy();
      });
      client.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
  } finally {
    listener.close();
  }
}

describe('test certificates (harness/fixtures/certificates.ts)', function () {
  this.timeout(30_000);
  let ca: CertificateAuthority;
  before(async () => (ca = await createCertificateAuthority('socklab unit-test CA')));

  it('makes a CA certificate: self-issued, CA:TRUE, RSA 2048', () => {
    const certificate = new X509Certificate(ca.certificate);
    expect(certificate.ca).to.equal(true);
    expect(certificate.subject).to.equal('CN=socklab unit-test CA');
    expect(certificate.issuer).to.equal(certificate.subject);
    expect(certificate.verify(certificate.publicKey)).to.equal(true);
    expect(certificate.publicKey.asymmetricKeyDetails?.modulusLength).to.equal(2048);
  });

  it('issues a server certificate for the given names and addresses, signed by the CA', async () => {
    const issued = await issueCertificate(ca, { names: ['localhost', 'mail.example'], ips: ['127.0.0.1', '::1'] });
    const certificate = new X509Certificate(issued.certificate);
    expect(certificate.ca).to.equal(false);
    expect(certificate.checkIssued(new X509Certificate(ca.certificate))).to.equal(true);
    expect(certificate.verify(new X509Certificate(ca.certificate).publicKey)).to.equal(true);
    expect(certificate.subjectAltName).to.equal('DNS:localhost, DNS:mail.example, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(certificate.checkHost('mail.example')).to.equal('mail.example');
    expect(certificate.checkIP('127.0.0.1')).to.equal('127.0.0.1');
    expect(certificate.checkHost('other.example')).to.equal(undefined);
  });

  it('reuses one key for every certificate it issues, so that issuing is quick', async () => {
    const first = await issueCertificate(ca, { names: ['a.example'], ips: [] });
    const started = performance.now();
    const second = await issueCertificate(await createCertificateAuthority('another CA'), { names: ['b.example'], ips: [] });
    expect(second.privateKey).to.equal(first.privateKey);
    expect(new X509Certificate(second.certificate).serialNumber).to.not.equal(new X509Certificate(first.certificate).serialNumber);
    // Signing alone takes milliseconds; the new CA's key is most of this.
    expect(performance.now() - started).to.be.lessThan(5_000);
  });

  it('passes a real TLS handshake that trusts only the CA, and fails one for a name it does not cover', async () => {
    const issued = await issueCertificate(ca, { names: ['localhost'], ips: ['127.0.0.1'] });
    const server = { key: issued.privateKey, cert: issued.certificate };
    expect(await handshake(ca.certificate, server, 'localhost')).to.equal('verified');
    expect(await handshake(ca.certificate, server, '127.0.0.1')).to.equal('verified');
    expect(await handshake(ca.certificate, server, 'elsewhere.example')).to.equal('ERR_TLS_CERT_ALTNAME_INVALID');
    const stranger = await createCertificateAuthority('a CA nobody trusts');
    expect(await handshake(stranger.certificate, server, 'localhost')).to.equal('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('refuses a subject with nothing in it, or an IP address that is not one', async () => {
    let problem = '';
    await issueCertificate(ca, { names: [], ips: [] }).catch((error: Error) => (problem = error.message));
    expect(problem).to.equal('issueCertificate: give at least one name or IP address');
    await issueCertificate(ca, { names: [], ips: ['localhost'] }).catch((error: Error) => (problem = error.message));
    expect(problem).to.equal('issueCertificate: not an IP address: "localhost"');
  });
});
