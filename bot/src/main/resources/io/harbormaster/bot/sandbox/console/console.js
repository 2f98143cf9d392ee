// The sandbox console: shows the Slack stand-in's #deploys channel and sends what a person does (a command, a button
// click) to the sandbox, which passes it to the bot signed exactly as Slack would. Plain DOM, no build step.
'use strict';

const state = { data: null, json: '', persona: localStorage.getItem('harbormaster.persona') || 'U0ENGINEER',
  thread: null };

const EMOJI = {
  white_check_mark: '✅', rotating_light: '🚨', x: '❌', rewind: '⏪', no_entry: '⛔', bird: '🐦', rocket: '🚀',
  raised_hand: '✋', mag: '🔍', lock: '🔒', unlock: '🔓', hourglass_flowing_sand: '⏳', hourglass: '⌛',
  double_vertical_bar: '⏸️', bar_chart: '📊', arrow_forward: '▶️', warning: '⚠️', large_green_circle: '🟢',
  red_circle: '🔴', white_circle: '⚪', heavy_check_mark: '✔️', stop_sign: '🛑', clipboard: '📋', memo: '📝',
  bulb: '💡', ambulance: '🚑', link: '🔗', shield: '🛡️', page_facing_up: '📄', thumbsup: '👍', thumbsdown: '👎', eyes: '👀', '30': '3️⃣0️⃣'
};

const $ = (id) => document.getElementById(id);

function escapeHtml(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function emoji(html) {
  return html.replace(/:([a-z0-9_+-]+):/g, (m, name) => EMOJI[name] || m);
}

function personaName(id) {
  const p = (state.data && state.data.personas || []).find((x) => x.id === id);
  return p ? p.name : id;
}

// Slack's mrkdwn: the sender escaped &, < and > as entities; <...> are links, mentions and channel references.
function mrkdwn(text) {
  const tokens = [];
  // The placeholders below use \u0000-\u0002; a text that carries them itself loses them first.
  let s = String(text || '').replace(/[\u0000-\u0002]/g, '').replace(/<([^<>]*)>/g, (m, inner) => {
    tokens.push(inner);
    return '\u0000' + (tokens.length - 1) + '\u0000';
  });
  s = s.replace(/&(?!(amp|lt|gt|quot|#[0-9]+);)/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
  const blocks = [];
  s = s.replace(/```([\s\S]*?)```/g, (m, code) => {
    blocks.push('<pre>' + code.replace(/^\n/, '') + '</pre>');
    return '\u0001' + (blocks.length - 1) + '\u0001';
  });
  const codes = [];
  s = s.replace(/`([^`\n]+)`/g, (m, code) => {
    codes.push('<code>' + code + '</code>');
    return '\u0002' + (codes.length - 1) + '\u0002';
  });
  s = s.replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:;!?])/g, '$1<b>$2</b>')
    .replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,:;!?])/g, '$1<i>$2</i>')
    .replace(/(^|[\s(])~([^~\n]+)~(?=$|[\s).,:;!?])/g, '$1<s>$2</s>');
  s = s.split('\n').map((line) => line.startsWith('&gt; ') ? '<blockquote>' + line.slice(5) + '</blockquote>' : line)
    .join('\n').replace(/\n/g, '<br>').replace(/<\/blockquote><br>/g, '</blockquote>');
  s = emoji(s);
  s = s.replace(/\u0002(\d+)\u0002/g, (m, i) => codes[+i] || '')
    .replace(/\u0001(\d+)\u0001/g, (m, i) => blocks[+i] || '');
  return s.replace(/\u0000(\d+)\u0000/g, (m, i) => (+i < tokens.length ? reference(tokens[+i]) : ''));
}

function reference(inner) {
  const bar = inner.indexOf('|');
  const target = bar < 0 ? inner : inner.slice(0, bar);
  const label = bar < 0 ? '' : inner.slice(bar + 1);
  if (target.startsWith('@')) return '<b>@' + escapeHtml(personaName(target.slice(1))) + '</b>';
  if (target.startsWith('#')) return '<b>#' + escapeHtml(label || target.slice(1)) + '</b>';
  if (target.startsWith('!date')) return escapeHtml(label);
  if (target.startsWith('!')) return '<b>@' + escapeHtml(target.slice(1)) + '</b>';
  if (/^https?:\/\//.test(target)) {
    return '<a href="' + escapeHtml(target) + '" target="_blank" rel="noopener">' + escapeHtml(label || target)
      + '</a>';
  }
  return escapeHtml(label || target);
}

function textObject(t) {
  if (!t) return '';
  if (t.type === 'plain_text') return t.emoji === false ? escapeHtml(t.text) : emoji(escapeHtml(t.text));
  return mrkdwn(t.text);
}

function renderBlocks(blocks, message) {
  return blocks.map((b) => {
    switch (b.type) {
      case 'header':
        return '<div class="bk-header">' + textObject(b.text) + '</div>';
      case 'divider':
        return '<hr class="bk-divider">';
      case 'context':
        return '<div class="bk-context">' + (b.elements || []).map((e) => e.type === 'image'
          ? '' : '<span>' + textObject(e) + '</span>').join('') + '</div>';
      case 'actions':
        return '<div class="bk-actions" data-block-id="' + escapeHtml(b.block_id || '') + '">'
          + (b.elements || []).map((e) => button(e, b.block_id, message)).join('') + '</div>';
      case 'section': {
        let html = '<div class="bk-section"><div class="main">';
        if (b.text) html += '<div class="text">' + textObject(b.text) + '</div>';
        if (b.fields) html += '<div class="bk-fields">' + b.fields.map((f) => '<div>' + textObject(f) + '</div>')
          .join('') + '</div>';
        html += '</div>';
        if (b.accessory && b.accessory.type === 'button') html += button(b.accessory, b.block_id, message);
        return html + '</div>';
      }
      default:
        return '<div class="muted">[' + escapeHtml(b.type) + ' block]</div>';
    }
  }).join('');
}

function button(e, blockId, message) {
  if (e.type !== 'button') return '';
  const style = e.style === 'primary' || e.style === 'danger' ? ' ' + e.style : '';
  if (e.url && /^https?:\/\//.test(e.url)) {
    return '<a class="bk-button' + style + '" href="' + escapeHtml(e.url) + '" target="_blank" rel="noopener">'
      + textObject(e.text) + '</a>';
  }
  return '<button type="button" class="bk-button' + style + '" data-testid="button-' + escapeHtml(e.action_id)
    + '" data-ts="' + escapeHtml(message.ts) + '" data-action-id="' + escapeHtml(e.action_id) + '" data-block-id="'
    + escapeHtml(blockId || '') + '" data-value="' + escapeHtml(e.value || '') + '"'
    + (e.confirm ? ' data-confirm="' + escapeHtml((e.confirm.text && e.confirm.text.text) || '') + '"' : '')
    + '>' + textObject(e.text) + '</button>';
}

function time(ts) {
  const d = new Date(parseFloat(ts) * 1000);
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function renderMessage(m, replies, inThread) {
  const bot = m.user === 'U0HARBORMASTER';
  const who = bot ? 'Harbormaster' : personaName(m.user);
  const classes = ['message'];
  if (m.ephemeral_to) classes.push('ephemeral');
  let html = '<div class="' + classes.join(' ') + '" data-testid="message" data-ts="' + escapeHtml(m.ts) + '">'
    + '<div class="avatar' + (bot ? ' bot' : '') + '">' + escapeHtml(who.charAt(0).toUpperCase()) + '</div>'
    + '<div class="body"><div class="meta"><span class="who">' + escapeHtml(who) + '</span>'
    + (bot ? '<span class="app-badge">APP</span>' : '') + '<span class="time">' + time(m.ts) + '</span>'
    + (m.edited ? '<span class="edited">(edited)</span>' : '') + '</div>';
  if (m.ephemeral_to) html += '<div class="ephemeral-note">Only visible to you</div>';
  if (m.reply_broadcast && !inThread) html += '<div class="broadcast-note">replied to a thread</div>';
  const blocks = m.blocks || [];
  html += blocks.length ? renderBlocks(blocks, m) : '<div class="text">' + mrkdwn(m.text) + '</div>';
  if (!inThread && replies > 0) {
    html += '<button type="button" class="replies-link" data-testid="replies" data-thread="' + escapeHtml(m.ts)
      + '">' + replies + (replies === 1 ? ' reply' : ' replies') + '</button>';
  }
  return html + '</div></div>';
}

function visible(m) {
  return !m.ephemeral_to || m.ephemeral_to === state.persona;
}

function render() {
  const data = state.data;
  if (!data) return;
  $('timing').textContent = data.timing;
  const messages = data.messages.filter((m) => m.channel === data.channel.id && visible(m));
  const replyCount = {};
  messages.forEach((m) => { if (m.thread_ts && m.thread_ts !== m.ts) replyCount[m.thread_ts] = (replyCount[m.thread_ts] || 0) + 1; });
  const top = messages.filter((m) => !m.thread_ts || m.thread_ts === m.ts || m.reply_broadcast);
  renderList($('messages'), top.map((m) => renderMessage(m, replyCount[m.ts] || 0, false)).join(''));
  if (state.thread) {
    const parent = messages.find((m) => m.ts === state.thread);
    const replies = messages.filter((m) => m.thread_ts === state.thread && m.ts !== state.thread);
    renderList($('thread-messages'), (parent ? renderMessage(parent, 0, true) : '')
      + '<div class="thread-replies-count">' + replies.length + (replies.length === 1 ? ' reply' : ' replies')
      + '</div>' + replies.map((m) => renderMessage(m, 0, true)).join(''));
  }
  renderSidebar(data);
}

function renderList(el, html) {
  if (el.dataset.html === html) return;
  const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  el.innerHTML = html;
  el.dataset.html = html;
  if (atBottom) el.scrollTop = el.scrollHeight;
}

function renderSidebar(data) {
  const select = $('persona');
  if (select.options.length !== data.personas.length) {
    select.innerHTML = data.personas.map((p) => '<option value="' + escapeHtml(p.id) + '">'
      + escapeHtml(p.real_name) + '</option>').join('');
  }
  select.value = state.persona;
  const me = data.personas.find((p) => p.id === state.persona);
  $('persona-can').textContent = me ? me.can : '';

  const builds = data.builds.map((b) => '<div class="build" data-testid="build-' + escapeHtml(b.service) + '-'
    + escapeHtml(b.version) + '"><div><span class="name">' + escapeHtml(b.service + ' ' + b.version) + '</span> '
    + '<span class="kind ' + escapeHtml(b.kind) + '">' + escapeHtml(b.kind_label) + '</span></div>'
    + '<div>' + escapeHtml(b.title) + (b.announced ? '' : ' <span class="muted">(not announced yet)</span>') + '</div>'
    + '<div class="row"><button type="button" data-fill="/deploy ' + escapeHtml(b.service + ' ' + b.version)
    + '">/deploy</button><button type="button" data-ci-deploy="1" data-service="' + escapeHtml(b.service)
    + '" data-version="' + escapeHtml(b.version) + '">Deploy from CI</button>'
    + '<select aria-label="fault" data-fault="1" data-service="' + escapeHtml(b.service) + '" data-version="'
    + escapeHtml(b.version) + '">' + ['none', 'errors', 'slow', 'crash'].map((f) => '<option value="' + f + '"'
      + (f === b.fault ? ' selected' : '') + '>' + { none: 'healthy', errors: 'fault: 15% errors',
      slow: 'fault: 3x slower', crash: 'fault: crashes' }[f] + '</option>').join('') + '</select></div></div>')
    .join('');
  setHtml($('builds'), builds);

  const cluster = data.services.map((s) => '<div class="service" data-testid="service-' + escapeHtml(s.service)
    + '"><div class="name">' + escapeHtml(s.service) + '</div>'
    + ['stable', 'baseline', 'canary'].filter((t) => s[t]).map((t) => '<div class="track ' + t + '">' + t + ' '
      + escapeHtml(s[t].version) + ' ×' + s[t].replicas + (s[t].ready ? '' : ' (crash-looping)') + '</div>')
      .join('') + '</div>').join('');
  setHtml($('cluster'), cluster);
}

function setHtml(el, html) {
  // Leave a control alone while it is being used.
  if (el.dataset.html === html || el.contains(document.activeElement) && document.activeElement.tagName === 'SELECT') {
    return;
  }
  el.innerHTML = html;
  el.dataset.html = html;
}

async function refresh() {
  try {
    const response = await fetch('/console/api/state', { cache: 'no-store' });
    const json = await response.text();
    if (json !== state.json) {
      state.json = json;
      state.data = JSON.parse(json);
      render();
    }
  } catch (e) {
    toast('The sandbox is not answering (' + e.message + '). Is it still running?', true);
  }
}

async function post(path, body) {
  const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body) });
  const answer = await response.json().catch(() => ({ ok: false, error: 'HTTP ' + response.status }));
  if (!answer.ok) toast(answer.error || 'failed', true);
  await refresh();
  return answer;
}

let toastTimer = null;
// A refusal, or anything that did not go through, is shown as one (marked, in red), never as a success.
function toast(text, refused) {
  const el = $('toast');
  el.textContent = (refused ? '\u26d4 ' : '') + text;
  el.classList.toggle('refused', !!refused);
  el.classList.remove('hidden');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.add('hidden'), 6000);
}

function openThread(ts) {
  state.thread = ts;
  $('thread').classList.remove('hidden');
  $('thread-messages').dataset.html = '';
  render();
}

document.addEventListener('click', async (event) => {
  const target = event.target.closest('button');
  if (!target) return;
  if (target.dataset.thread) {
    openThread(target.dataset.thread);
  } else if (target.dataset.actionId) {
    if (target.dataset.confirm && !window.confirm(target.dataset.confirm)) return;
    target.disabled = true;
    try {
      await post('/console/api/action', { user: state.persona, ts: target.dataset.ts,
        action_id: target.dataset.actionId, block_id: target.dataset.blockId, value: target.dataset.value });
    } finally {
      // The button comes back usable unless the bot replaced the message (then it is gone anyway).
      $('messages').dataset.html = '';
      $('thread-messages').dataset.html = '';
      render();
    }
  } else if (target.dataset.fill) {
    $('composer-input').value = target.dataset.fill;
    $('composer-input').focus();
  } else if (target.dataset.ciDeploy) {
    // the sandbox says what became of it: accepted (with the deploy), a repeat of an earlier request, or refused (post
    // shows a refusal with Harbormaster's reason)
    const answer = await post('/console/api/ci', { service: target.dataset.service, version: target.dataset.version,
      deploy: true });
    if (answer.ok) toast(answer.message);
  } else if (target.id === 'thread-close') {
    state.thread = null;
    $('thread').classList.add('hidden');
  }
});

document.addEventListener('change', async (event) => {
  const target = event.target;
  if (target.id === 'persona') {
    state.persona = target.value;
    localStorage.setItem('harbormaster.persona', state.persona);
    render();
  } else if (target.dataset.fault) {
    const answer = await post('/console/api/fault', { service: target.dataset.service,
      version: target.dataset.version, fault: target.value });
    if (answer.ok) toast(target.dataset.service + ' ' + target.dataset.version + ': ' + target.selectedOptions[0].text);
  }
});

$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('composer-input');
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  if (text.startsWith('/')) {
    await post('/console/api/command', { user: state.persona, text });
  } else {
    await post('/console/api/message', { user: state.persona, text });
  }
});

$('thread-composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('thread-input');
  const text = input.value.trim();
  if (!text || !state.thread) return;
  input.value = '';
  await post('/console/api/message', { user: state.persona, text, thread_ts: state.thread });
});

// A thread permalink's page links here with #thread=TS: open that thread.
function openLinkedThread() {
  const linked = /^#thread=(\d+\.\d+)$/.exec(location.hash);
  if (linked) openThread(linked[1]);
}
window.addEventListener('hashchange', openLinkedThread);
openLinkedThread();

refresh();
setInterval(refresh, 700);
