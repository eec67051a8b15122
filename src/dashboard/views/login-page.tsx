/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { Layout } from './layout.tsx'

export function LoginPage(props: { next: string; error: string | undefined; readOnly: boolean }) {
  return (
    <Layout title="Log in" section={undefined} viewer={undefined}>
      <section class="login card">
        <h1>Log in</h1>
        <p class="muted">
          Paste the dashboard key (DASHBOARD_API_KEY, or the key kept in the data directory's
          dashboard.key) or a domain's client key, which shows that domain only.
        </p>
        {props.error ? (
          <p class="err" role="alert" data-testid="login-error">
            {props.error}
          </p>
        ) : null}
        <form method="post" action="/login" data-testid="login-form">
          <input type="hidden" name="next" value={props.next} />
          <label>
            Key{' '}
            <input type="password" name="key" autocomplete="current-password" required autofocus />
          </label>
          <button type="submit">Log in</button>
        </form>
        {props.readOnly ? (
          <p class="muted">
            This dashboard also allows anonymous read-only access:{' '}
            <a href="/">continue without logging in</a>.
          </p>
        ) : null}
      </section>
    </Layout>
  )
}
