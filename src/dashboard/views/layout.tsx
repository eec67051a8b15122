/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx'
import type { Viewer } from '../auth/dashboard-auth.ts'

export type Section = 'overview' | 'requests' | 'conversations' | 'usage' | 'prompts'

const NAV: Array<[Section, string, string]> = [
  ['overview', 'Overview', '/'],
  ['requests', 'Requests', '/requests'],
  ['conversations', 'Conversations', '/conversations'],
  ['usage', 'Usage', '/usage'],
  ['prompts', 'Prompts', '/prompts'],
]

export interface LayoutProps {
  title: string
  section: Section | undefined
  viewer: Viewer | undefined
  children: Child
  /** Pages with charts load uPlot. */
  charts?: boolean
}

/**
 * The one layout. Scripts are external files only (the CSP forbids inline script), so no
 * piece of stored content can ever become code; data for scripts travels in data-attributes.
 */
export function Layout(props: LayoutProps) {
  const { viewer } = props
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Claude Nexus`}</title>
        <link rel="stylesheet" href="/assets/dashboard.css" />
        {props.charts ? <link rel="stylesheet" href="/assets/vendor/uPlot.min.css" /> : null}
        <script src="/assets/theme.js"></script>
        {props.charts ? <script src="/assets/vendor/uPlot.iife.min.js" defer></script> : null}
        {props.charts ? <script src="/assets/charts.js" defer></script> : null}
        <script src="/assets/live-source.js" defer></script>
        <script src="/assets/live.js" defer></script>
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/">
            Claude Nexus
          </a>
          {viewer ? (
            <nav>
              {NAV.map(([key, label, href]) => (
                <a href={href} class={props.section === key ? 'active' : undefined}>
                  {label}
                </a>
              ))}
            </nav>
          ) : null}
          <div class="spacer"></div>
          {viewer ? (
            <span class="live-dot" id="live-status" title="Live updates">
              live
            </span>
          ) : null}
          {viewer?.kind === 'anonymous' ? (
            <span class="badge warn" title="DASHBOARD_READ_ONLY=true">
              read-only · anonymous
            </span>
          ) : null}
          {viewer && viewer.kind !== 'anonymous' ? (
            <span class="badge" data-testid="viewer">
              {viewer.label}
              {viewer.canWrite ? '' : ' · read-only'}
            </span>
          ) : null}
          <button type="button" class="theme-toggle" id="theme-toggle" title="Light / dark">
            ◐
          </button>
          {viewer?.session ? (
            <form method="post" action="/logout" class="inline">
              <button type="submit">Log out</button>
            </form>
          ) : null}
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  )
}

export function PageTitle(props: { children: Child; sub?: Child }) {
  return (
    <div class="page-title">
      <h1>{props.children}</h1>
      {props.sub ? <p class="muted">{props.sub}</p> : null}
    </div>
  )
}

export function Stat(props: { label: string; value: Child; hint?: Child; testid?: string }) {
  return (
    <div class="stat" data-testid={props.testid}>
      <div class="stat-label">{props.label}</div>
      <div class="stat-value">{props.value}</div>
      {props.hint ? <div class="stat-hint">{props.hint}</div> : null}
    </div>
  )
}

export function Empty(props: { children: Child }) {
  return <p class="empty">{props.children}</p>
}
