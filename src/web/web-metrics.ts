import type { AdminSnapshot } from './admin-snapshot.ts'

/** Request counters and the Prometheus text of GET /metrics: a handful of lines, written by hand. */
export function createWebMetrics() {
  const byCode = new Map<number, number>()
  let durationSum = 0
  let count = 0
  const startedS = Date.now() / 1000
  return {
    observe(status: number, durationMs: number) {
      byCode.set(status, (byCode.get(status) ?? 0) + 1)
      durationSum += durationMs / 1000
      count++
    },
    render(s: AdminSnapshot | null, ready: boolean): string {
      const lines: string[] = []
      const metric = (name: string, type: string, help: string, samples: Array<[labels: string, value: number]>) => {
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
        for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`)
      }
      metric('app_web_ready', 'gauge', '1 when the web role has loaded its plugins and serves requests.', [['', ready ? 1 : 0]])
      metric(
        'app_http_requests_total',
        'counter',
        'HTTP requests answered, by status code.',
        [...byCode].sort(([a], [b]) => a - b).map(([code, n]) => [`{code="${code}"}`, n]),
      )
      metric('app_http_request_duration_seconds', 'summary', 'Time to answer HTTP requests.', [
        ['_sum', durationSum],
        ['_count', count],
      ])
      if (s) {
        const statuses = { ok: 0, warning: 0, error: 0 }
        for (const p of s.report.plugins) statuses[p.status]++
        const severities = { error: 0, warning: 0, info: 0 }
        for (const w of s.report.warnings) severities[w.severity]++
        metric(
          'app_plugins',
          'gauge',
          'Plugins in the current store generation, by status.',
          Object.entries(statuses).map(([k, n]) => [`{status="${k}"}`, n]),
        )
        metric(
          'app_plugin_warnings',
          'gauge',
          'Distinct plugin warnings (ingest and load), by severity.',
          Object.entries(severities).map(([k, n]) => [`{severity="${k}"}`, n]),
        )
        metric('app_store_generation', 'gauge', 'Newest plugin store generation.', [['', s.report.generation ?? 0]])
        metric('app_processes_live', 'gauge', 'Processes with a recent heartbeat.', [['', s.processes.filter((p) => p.live).length]])
        metric('app_processes_restart_needed', 'gauge', 'Live processes running an older plugin generation than the store.', [
          ['', s.restartNeeded.length],
        ])
      }
      metric('process_start_time_seconds', 'gauge', 'Start time of this process since the Unix epoch.', [['', Math.floor(startedS)]])
      metric('process_resident_memory_bytes', 'gauge', 'Resident memory of this process.', [['', process.memoryUsage.rss()]])
      return `${lines.join('\n')}\n`
    },
  }
}

export type WebMetrics = ReturnType<typeof createWebMetrics>
