import type { Bot, Resource } from '../sdk/host-services.ts'

export interface ResourceRow {
  id: string
  type: string
  cloud: string
  account: string
  region: string
  name: string
  state: string
  tags: string
  properties: string
  updated_at: string
}

export interface BotRow {
  name: string
  enabled: number
  resource_types: string
  filters: string
  action: string
  schedule: string | null
  updated_at: string
}

export const toResource = (r: ResourceRow): Resource => ({
  id: r.id,
  type: r.type,
  cloud: r.cloud,
  account: r.account,
  region: r.region,
  name: r.name,
  state: r.state,
  tags: JSON.parse(r.tags),
  properties: JSON.parse(r.properties),
})

export const toBot = (r: BotRow): Bot => ({
  name: r.name,
  enabled: r.enabled === 1,
  resourceTypes: JSON.parse(r.resource_types),
  filters: JSON.parse(r.filters),
  action: JSON.parse(r.action),
  schedule: r.schedule === null ? null : JSON.parse(r.schedule),
})

/** Upsert of a whole resource row; shared by `app resources import` and tests. */
export const UPSERT_RESOURCE = `INSERT INTO resources (id, type, cloud, account, region, name, state, tags, properties, updated_at)
  VALUES (@id, @type, @cloud, @account, @region, @name, @state, @tags, @properties, @updatedAt)
  ON CONFLICT (id) DO UPDATE SET type = excluded.type, cloud = excluded.cloud, account = excluded.account, region = excluded.region,
    name = excluded.name, state = excluded.state, tags = excluded.tags, properties = excluded.properties, updated_at = excluded.updated_at`

export const resourceParams = (r: Resource, updatedAt = new Date().toISOString()) => ({
  id: r.id,
  type: r.type,
  cloud: r.cloud,
  account: r.account,
  region: r.region,
  name: r.name,
  state: r.state,
  tags: JSON.stringify(r.tags),
  properties: JSON.stringify(r.properties),
  updatedAt,
})
