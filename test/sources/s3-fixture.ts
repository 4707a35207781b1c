import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import S3rver from 's3rver'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** s3rver's fixed test credentials, given to the app through the AWS default chain (environment). */
export const S3_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' }

export interface S3Fixture {
  /** A forwarding proxy in front of s3rver, so tests can see which requests the app made. */
  endpoint: string
  requests: Array<{ method: string; path: string }>
  bucket: string
  put(key: string, body: Buffer): Promise<void>
  remove(key: string): Promise<void>
  close(): Promise<void>
}

/** A real S3-protocol server (s3rver) on 127.0.0.1 with one bucket; closed after the test. */
export async function startS3(t: { onTestFinished(fn: () => unknown): void }, bucket = 'plugins'): Promise<S3Fixture> {
  const directory = mkdtempSync(join(tmpdir(), 'app-s3rver-'))
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory })
  const { port } = await server.run()
  const direct = `http://127.0.0.1:${port}`
  const requests: S3Fixture['requests'] = []
  const proxy = createServer((req, res) => {
    requests.push({ method: req.method!, path: new URL(req.url!, 'http://x').pathname })
    const upstream = httpRequest(direct + req.url, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode!, up.headers)
      up.pipe(res)
    })
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  await new Promise<void>((res) => proxy.listen(0, '127.0.0.1', res))
  const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
  const client = new S3Client({
    endpoint: direct,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  })
  await client.send(new CreateBucketCommand({ Bucket: bucket }))
  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    client.destroy()
    proxy.closeAllConnections()
    await new Promise<void>((res) => proxy.close(() => res()))
    await server.close()
    rmSync(directory, { recursive: true, force: true })
  }
  t.onTestFinished(close)
  return {
    endpoint,
    bucket,
    requests,
    async put(key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))
    },
    async remove(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))
    },
    close,
  }
}
