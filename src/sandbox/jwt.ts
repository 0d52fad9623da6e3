/**
 * RS256 JSON Web Tokens with node:crypto: the sandbox signs ID tokens with its own key and
 * verifies the assertions service-account keys sign (JWT-bearer grant and self-signed JWTs).
 */
import { createSign, createVerify, generateKeyPair, type KeyObject } from 'node:crypto';

export interface RsaKeyPair {
  privateKeyPem: string;
  publicKey: KeyObject;
}

/** A fresh 2048-bit RSA key, generated off the event loop (it takes a few hundred ms). */
export function generateRsaKey(): Promise<RsaKeyPair> {
  return new Promise((resolve, reject) => {
    generateKeyPair('rsa', { modulusLength: 2048 }, (err, publicKey, privateKey) => {
      if (err) reject(err);
      else
        resolve({ privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey });
    });
  });
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export function signJwt(payload: Record<string, unknown>, privateKeyPem: string, kid?: string): string {
  const header: Record<string, string> = { alg: 'RS256', typ: 'JWT' };
  if (kid) header.kid = kid;
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = createSign('RSA-SHA256').update(input).sign(privateKeyPem);
  return `${input}.${b64url(signature)}`;
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

/** Splits and parses a compact JWS without checking it; undefined when it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  try {
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    if (typeof header !== 'object' || typeof payload !== 'object' || header === null || payload === null) {
      return undefined;
    }
    return { header, payload, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
  } catch {
    return undefined;
  }
}

export function verifyRs256(jwt: DecodedJwt, key: KeyObject): boolean {
  if (jwt.header.alg !== 'RS256') return false;
  return createVerify('RSA-SHA256').update(jwt.signingInput).verify(key, jwt.signature);
}
