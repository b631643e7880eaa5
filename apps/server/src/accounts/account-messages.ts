import type { MailMessage } from '../infra/mail/mailer.ts';

/** The emails Tube sends, as plain text. Pure functions: the links are built by the caller. */

export function verificationMessage(to: string, username: string, link: string, ttlHours: number): MailMessage {
  return {
    to,
    subject: 'Confirm your email address for Tube',
    text: `Hello ${username},\n\nPlease confirm that ${to} is your email address by opening this link:\n\n${link}\n\nThe link works once and expires in ${ttlHours} hours. If you did not ask for this, ignore this email.\n`,
  };
}

export function passwordResetMessage(to: string, username: string, link: string, ttlMinutes: number): MailMessage {
  return {
    to,
    subject: 'Reset your Tube password',
    text: `Hello ${username},\n\nSomeone (hopefully you) asked to reset the password of your Tube account. To choose a new password, open this link:\n\n${link}\n\nThe link works once and expires in ${ttlMinutes} minutes. If you did not ask for this, ignore this email: your password stays as it is.\n`,
  };
}

export function newVideoMessage(to: string, channelName: string, videoTitle: string, link: string, settingsLink: string): MailMessage {
  return {
    to,
    subject: `${channelName} uploaded: ${videoTitle}`,
    text: `${channelName} published a new video:\n\n${videoTitle}\n${link}\n\nYou get this email because you subscribe to ${channelName}. Turn these emails off in your settings: ${settingsLink}\n`,
  };
}

export function newCommentMessage(to: string, author: string, videoTitle: string, excerpt: string, link: string, settingsLink: string): MailMessage {
  return {
    to,
    subject: `${author} commented on "${videoTitle}"`,
    text: `${author} commented on your video "${videoTitle}":\n\n${excerpt}\n\n${link}\n\nTurn these emails off in your settings: ${settingsLink}\n`,
  };
}

/** A comment held for approval is not public yet: the owner is asked to review it in the studio, not sent to the watch page. */
export function heldCommentMessage(to: string, author: string, videoTitle: string, excerpt: string, studioLink: string, settingsLink: string): MailMessage {
  return {
    to,
    subject: `${author}'s comment on "${videoTitle}" is waiting for your approval`,
    text:
      `${author} commented on your video "${videoTitle}". Comments on this video are held until you approve them; ` +
      `nobody else sees it yet:\n\n${excerpt}\n\nApprove or reject it in your studio: ${studioLink}\n\nTurn these emails off in your settings: ${settingsLink}\n`,
  };
}
