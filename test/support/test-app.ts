import 'reflect-metadata';
import { PassThrough } from 'node:stream';
import type { DynamicModule, INestApplicationContext, Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import Redis from 'ioredis';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { createApiApplication, createWorkerApplication } from '../../src/bootstrap';
import { AppConfig, loadConfig } from '../../src/core/config';
import { servedDocuments } from '../../src/core/http/http-app';
import { OPENAPI_CONTRACT_CHECKED, TEST_REDIS_URL } from './env';
import {
  OpenApiDocument,
  OpenApiResponseValidator,
  recordContractViolations,
  takeContractViolations,
} from './openapi-contract';
import { PGBOUNCER_URL_ENV } from './pgbouncer';
import { createTestDatabase, dropDatabase } from './template-db';

/** JSON log lines captured from an app under test. */
export class LogCapture {
  readonly stream = new PassThrough();
  private buffer = '';

  constructor() {
    this.stream.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
    });
  }

  lines(): Record<string, unknown>[] {
    return this.buffer
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

export interface TestEnvironment {
  config: AppConfig;
  database: { name: string; url: string };
  redisPrefix: string;
  /** Drops the database and the Redis keys this file created. */
  dispose(): Promise<void>;
}

/**
 * A database of its own and a Redis key prefix of its own, for one test file. With
 * `ALEES_TEST_PGBOUNCER_PORT` set (by `viaPgBouncer`, test/support/pgbouncer.ts), `DATABASE_URL`
 * goes through that PgBouncer (transaction pooling) and `DATABASE_DIRECT_URL` straight to
 * PostgreSQL, as in a deployment behind PgBouncer.
 */
export async function createTestEnvironment(
  env: Record<string, string> = {},
): Promise<TestEnvironment> {
  const database = await createTestDatabase();
  const redisPrefix = `t${process.pid}${Math.random().toString(36).slice(2, 7)}:`;
  let config: AppConfig;
  const bouncerPort = process.env[PGBOUNCER_URL_ENV];
  const bouncerUrl = new URL(database.url);
  if (bouncerPort) Object.assign(bouncerUrl, { hostname: '127.0.0.1', port: bouncerPort });
  try {
    config = loadConfig({
      ENVIRONMENT: 'test',
      DATABASE_URL: bouncerPort ? bouncerUrl.toString() : database.url,
      DATABASE_DIRECT_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: redisPrefix,
      LOG_LEVEL: 'info',
      PORT: '0',
      WORKER_PORT: '0',
      DATABASE_POOL_SIZE: '5',
      // Every request of a test file comes from 127.0.0.1; rate-limit tests set their own limits.
      API_RATE_LIMIT_ANONYMOUS: '100000/hour',
      API_RATE_LIMIT_USER: '100000/hour',
      ...env,
    });
  } catch (error) {
    await dropDatabase(database.name);
    throw error;
  }
  return {
    config,
    database,
    redisPrefix,
    async dispose() {
      await deleteRedisKeys(redisPrefix);
      await dropDatabase(database.name);
    },
  };
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  for (const db of [0, 1, 2, 3]) {
    const redis = new Redis(TEST_REDIS_URL, { db, lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } catch {
      // Redis unavailable: nothing of ours to clean.
    } finally {
      redis.disconnect();
    }
  }
}

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  http: TestAgent;
  dataSource: DataSource;
  logs: LogCapture;
  environment: TestEnvironment;
  /** Starts a real worker (processors + health server) against the same database and Redis. */
  startWorker(imports?: (Type | DynamicModule)[]): Promise<INestApplicationContext>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  imports?: (Type | DynamicModule)[];
  /** Reuse an environment (e.g. a second app instance on the same database). */
  environment?: TestEnvironment;
}

const VERBS = new Set(['get', 'put', 'post', 'delete', 'patch']);

/**
 * A supertest agent whose every response is checked against the served OpenAPI document
 * (`OpenApiResponseValidator`); problems fail the test that caused them (see the `afterEach`).
 * `OPENAPI_CONTRACT=off` turns the check off.
 */
function contractCheckedAgent(agent: TestAgent, document: OpenApiDocument): TestAgent {
  if (!OPENAPI_CONTRACT_CHECKED) return agent;
  let validator: OpenApiResponseValidator | undefined;
  return new Proxy(agent, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof property !== 'string' || !VERBS.has(property) || typeof value !== 'function')
        return value;
      return (url: string, ...rest: unknown[]) => {
        const test = (value as (...args: unknown[]) => request.Test).call(target, url, ...rest);
        test.on('response', (res: request.Response) => {
          recordContractViolations(
            (validator ??= new OpenApiResponseValidator(document)).check({
              method: property,
              url,
              status: res.status,
              contentType: res.headers['content-type'],
              body: res.body as unknown,
            }),
          );
        });
        return test;
      };
    },
  });
}

// Every e2e file imports this module: a response that broke the contract fails its test.
if (typeof afterEach === 'function') {
  afterEach(() => {
    const problems = takeContractViolations();
    if (problems.length > 0) {
      throw new Error(
        `Responses that do not match the OpenAPI document:\n${[...new Set(problems)].join('\n')}`,
      );
    }
  });
}

/** The real API (Fastify, all modules) on a cloned database, ready for supertest. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const ownsEnvironment = !options.environment;
  const environment = options.environment ?? (await createTestEnvironment(options.env));
  const logs = new LogCapture();
  const app = await createApiApplication(environment.config, {
    imports: options.imports,
    logDestination: logs.stream,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const document = servedDocuments.get(app) as unknown as OpenApiDocument;
  const workers: INestApplicationContext[] = [];
  return {
    app,
    config: environment.config,
    http: contractCheckedAgent(request(app.getHttpServer()), document),
    dataSource: app.get<DataSource>(getDataSourceToken()),
    logs,
    environment,
    async startWorker(imports = []) {
      const worker = await createWorkerApplication(
        environment.config,
        new LogCapture().stream,
        imports,
      );
      workers.push(worker);
      return worker;
    },
    async close() {
      for (const worker of workers) await worker.close();
      await app.close();
      if (ownsEnvironment) await environment.dispose();
    },
  };
}
