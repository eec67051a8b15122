import type { SlackSettings } from '../credentials/credential-file.ts'
import type { SlackTarget } from './slack-message.ts'

export interface GlobalSlack {
  webhookUrl: string | undefined
  channel: string | undefined
  username: string | undefined
  iconEmoji: string | undefined
  enabled: boolean
}

/**
 * Where a domain's messages go: its credential file's `slack` when it has one (the domain
 * wins, and `enabled: false` silences the domain entirely), else the global webhook, else
 * nowhere. A domain webhook borrows the global username and icon when it sets none; never
 * the global channel, which belongs to the global webhook's workspace.
 */
export function slackTarget(
  global: GlobalSlack,
  domain: SlackSettings | null | undefined,
): SlackTarget | null {
  if (domain) {
    if (domain.enabled === false) return null
    return {
      webhookUrl: domain.webhook_url,
      channel: domain.channel,
      username: domain.username ?? global.username,
      iconEmoji: domain.icon_emoji ?? global.iconEmoji,
    }
  }
  if (!global.enabled || !global.webhookUrl) return null
  return {
    webhookUrl: global.webhookUrl,
    channel: global.channel,
    username: global.username,
    iconEmoji: global.iconEmoji,
  }
}
