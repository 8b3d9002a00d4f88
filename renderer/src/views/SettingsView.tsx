import { useEffect, useState, type ReactNode } from 'react';
import { ASSET_TYPES, ASSET_TYPE_SPECS } from '../../../shared/asset-types.ts';
import type { AutomationLevel, NamingStyle, PublishMode, SettingKey } from '../../../shared/settings.ts';
import { useApi, useClient } from '../app/bridge.tsx';
import { navigate } from '../app/router.ts';
import type { SettingsState } from '../app/settings.ts';
import { ErrorMessage, Spinner, Switch, useAction, useToast } from '../components/ui.tsx';
import { errorText } from '../lib/format.ts';
import { LibrariesPanel } from './LibrariesPanel.tsx';
import { ProviderKeyField } from './ProviderKeyField.tsx';
import { StoragePanel } from './StoragePanel.tsx';

const SECTIONS = [
  { id: 'providers', label: 'Artwork services' },
  { id: 'libraries', label: 'Libraries' },
  { id: 'artwork', label: 'Artwork choice' },
  { id: 'publishing', label: 'Publishing' },
  { id: 'automation', label: 'Automation' },
  { id: 'players', label: 'Players' },
  { id: 'webhooks', label: 'Radarr & Sonarr' },
  { id: 'storage', label: 'Storage' },
  { id: 'appearance', label: 'Appearance' },
] as const;

type SectionId = (typeof SECTIONS)[number]['id'];

export function SettingsView({ settings, section }: { settings: SettingsState; section?: string | undefined }) {
  const current: SectionId = (SECTIONS.find((s) => s.id === section)?.id ?? 'providers') as SectionId;
  return (
    <div className="view settings">
      <header className="view-head">
        <h1>Settings</h1>
      </header>
      <div className="settings-body">
        <nav className="subnav" aria-label="Settings sections">
          {SECTIONS.map((s) => (
            <a
              key={s.id}
              href={`#/settings/${s.id}`}
              className={current === s.id ? 'subnav-active' : undefined}
              aria-current={current === s.id ? 'page' : undefined}
            >
              {s.label}
            </a>
          ))}
        </nav>
        <div className="settings-panel">
          {settings.error && !settings.views ? (
            <ErrorMessage error={settings.error} onRetry={settings.reload} />
          ) : !settings.views ? (
            <Spinner />
          ) : (
            <>
              {current === 'providers' && <ProvidersSection settings={settings} />}
              {current === 'libraries' && <LibrariesPanel />}
              {current === 'artwork' && <ArtworkSection settings={settings} />}
              {current === 'publishing' && <PublishingSection settings={settings} />}
              {current === 'automation' && <AutomationSection settings={settings} />}
              {current === 'players' && <PlayersSection settings={settings} />}
              {current === 'webhooks' && <WebhooksSection />}
              {current === 'storage' && <StoragePanel />}
              {current === 'appearance' && <AppearanceSection settings={settings} />}
            </>
          )}
        </div>
      </div>
    </div>
  );
}

export function Card({
  title,
  description,
  children,
  actions,
}: {
  title: string;
  description?: ReactNode;
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <section className="card" aria-label={title}>
      <div className="card-head">
        <div>
          <h2>{title}</h2>
          {description && <p className="muted">{description}</p>}
        </div>
        {actions && <div className="card-actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

/** Saves one setting and reports the outcome as a toast. */
function useSave(settings: SettingsState) {
  const { run, busy } = useAction();
  return {
    busy,
    save: (key: SettingKey, value: unknown, done = 'Saved') => run(key, () => settings.save(key, value), done),
  };
}

function EnvNote({ settings, k }: { settings: SettingsState; k: SettingKey }) {
  const v = settings.views?.get(k);
  if (v?.source !== 'env') return null;
  return <p className="note">Set by the environment variable {v.env}; change it there.</p>;
}

/** The keys of a table, in their written order, with their type. */
export function keysOf<K extends string>(table: Record<K, unknown>): K[] {
  return Object.keys(table) as K[];
}

// ---- providers --------------------------------------------------------------------------------

function ProvidersSection({ settings }: { settings: SettingsState }) {
  return (
    <>
      <Card
        title="TMDB"
        description={
          <>
            Posters, backgrounds, logos and movie details. Get a free key at{' '}
            <a href="https://www.themoviedb.org/settings/api" target="_blank" rel="noreferrer">
              themoviedb.org
            </a>
            .
          </>
        }
      >
        <ProviderKeyField
          settings={settings}
          settingKey="tmdb.apiKey"
          provider="tmdb"
          label="API key or read access token"
        />
      </Card>
      <Card
        title="Fanart.tv"
        description={
          <>
            Clear logos, clear art, disc art, banners and more. Get a project key at{' '}
            <a href="https://fanart.tv/get-an-api-key/" target="_blank" rel="noreferrer">
              fanart.tv
            </a>
            .
          </>
        }
      >
        <ProviderKeyField settings={settings} settingKey="fanart.apiKey" provider="fanart" label="Project API key" />
        <ProviderKeyField
          settings={settings}
          settingKey="fanart.clientKey"
          provider="fanart"
          label="Personal key (optional: newer images sooner)"
          test={false}
        />
      </Card>
      <Card title="Advanced" description="Where the services are reached; change only for a proxy or a mirror.">
        <TextSetting settings={settings} k="tmdb.baseUrl" label="TMDB API address" />
        <TextSetting settings={settings} k="fanart.baseUrl" label="Fanart.tv API address" />
      </Card>
    </>
  );
}

function TextSetting({ settings, k, label }: { settings: SettingsState; k: SettingKey; label: string }) {
  const view = settings.views?.get(k);
  const [text, setText] = useState(String(view?.value ?? ''));
  useEffect(() => setText(String(view?.value ?? '')), [view?.value]);
  const { save, busy } = useSave(settings);
  const id = `setting-${k}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="field-row">
        <input
          id={id}
          className="input"
          value={text}
          disabled={view?.source === 'env'}
          onChange={(e) => setText(e.target.value)}
          spellCheck={false}
        />
        <button
          type="button"
          className="btn"
          disabled={busy !== null || text === String(view?.value ?? '')}
          onClick={() => void save(k, text)}
        >
          Save
        </button>
      </div>
      <EnvNote settings={settings} k={k} />
    </div>
  );
}

// ---- artwork choice ---------------------------------------------------------------------------

function ArtworkSection({ settings }: { settings: SettingsState }) {
  const { save } = useSave(settings);
  const counts = (settings.value('autoselect.counts') ?? {}) as Partial<Record<string, number>>;
  const languages = settings.value('languages') ?? ['en'];
  return (
    <>
      <LanguagesCard languages={languages} onSave={(list) => save('languages', list)} />
      <Card
        title="Images to keep per type"
        description="How many images auto-select chooses for each type. 0 turns a type off."
      >
        <table className="table compact">
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Ideal size</th>
              <th scope="col">Language</th>
              <th scope="col">Keep</th>
            </tr>
          </thead>
          <tbody>
            {ASSET_TYPES.map((t) => {
              const spec = ASSET_TYPE_SPECS[t];
              const value = counts[t] ?? spec.defaultCount;
              return (
                <tr key={t}>
                  <td>{spec.label}</td>
                  <td className="muted">
                    {spec.ideal.width}×{spec.ideal.height}
                  </td>
                  <td className="muted">
                    {spec.language === 'textless' ? 'No text preferred' : 'Your languages first'}
                  </td>
                  <td>
                    <input
                      type="number"
                      className="input input-num"
                      min={0}
                      max={spec.maxCount}
                      aria-label={`${spec.label}: images to keep`}
                      defaultValue={value}
                      key={value}
                      onBlur={(e) => {
                        const n = Number(e.target.value);
                        if (Number.isInteger(n) && n !== value && n >= 0 && n <= spec.maxCount)
                          void save('autoselect.counts', { ...counts, [t]: n });
                      }}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Card>
      <Card title="Artwork already in the library">
        <Switch
          checked={settings.value('autoselect.replaceOriginals') === true}
          onChange={(v) => void save('autoselect.replaceOriginals', v)}
          label="Let auto-select replace images that were in the library before Posterity"
        />
      </Card>
    </>
  );
}

const LANGUAGE_CODE = /^[a-z]{2}(-[A-Z]{2})?$/;

function LanguagesCard({ languages, onSave }: { languages: string[]; onSave: (list: string[]) => void }) {
  const [list, setList] = useState(languages);
  const [adding, setAdding] = useState('');
  useEffect(() => setList(languages), [languages]);
  const move = (i: number, d: number) => {
    const next = [...list];
    const [x] = next.splice(i, 1);
    next.splice(i + d, 0, x!);
    setList(next);
  };
  const valid = LANGUAGE_CODE.test(adding) && !list.includes(adding);
  const changed = JSON.stringify(list) !== JSON.stringify(languages);
  const names = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(undefined, { type: 'language' }) : null;
  return (
    <Card
      title="Languages"
      description="For posters, logos and other art with text, and for metadata. Most wanted first; English and textless images follow."
    >
      <ol className="lang-list">
        {list.map((code, i) => (
          <li key={code}>
            <span className="lang-pos">{i + 1}</span>
            <span className="lang-name">{safeName(names, code)}</span>
            <code>{code}</code>
            <span className="spacer" />
            <button
              type="button"
              className="btn btn-icon"
              aria-label={`Move ${code} up`}
              disabled={i === 0}
              onClick={() => move(i, -1)}
            >
              ↑
            </button>
            <button
              type="button"
              className="btn btn-icon"
              aria-label={`Move ${code} down`}
              disabled={i === list.length - 1}
              onClick={() => move(i, 1)}
            >
              ↓
            </button>
            <button
              type="button"
              className="btn btn-icon"
              aria-label={`Remove ${code}`}
              disabled={list.length === 1}
              onClick={() => setList(list.filter((c) => c !== code))}
            >
              ×
            </button>
          </li>
        ))}
      </ol>
      <div className="field-row">
        <input
          className="input"
          placeholder="Add a language code, e.g. fr or pt-BR"
          aria-label="Language code to add"
          value={adding}
          onChange={(e) => setAdding(e.target.value.trim())}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && valid) {
              setList([...list, adding]);
              setAdding('');
            }
          }}
        />
        <button
          type="button"
          className="btn"
          disabled={!valid}
          onClick={() => {
            setList([...list, adding]);
            setAdding('');
          }}
        >
          Add
        </button>
        <span className="spacer" />
        <button type="button" className="btn btn-primary" disabled={!changed} onClick={() => onSave(list)}>
          Save languages
        </button>
      </div>
    </Card>
  );
}

function safeName(names: Intl.DisplayNames | null, code: string): string {
  try {
    return names?.of(code) ?? code;
  } catch {
    return code;
  }
}

// ---- publishing -------------------------------------------------------------------------------

// Keyed by the setting's own types, so a new value fails the typecheck here until it is described.
// (Values are not imported from shared/settings.ts: it builds zod schemas the window never needs.)
const NAMING_HELP: Record<NamingStyle, { title: string; text: string }> = {
  both: {
    title: 'Both (recommended)',
    text: 'Movie-poster.jpg for every player, plus poster.jpg in a movie’s own folder.',
  },
  basename: { title: 'Movie name', text: 'Movie (2001)-poster.jpg only. Read by Kodi with any source setting.' },
  folder: { title: 'Folder', text: 'poster.jpg only. Kodi reads these only with “movies in separate folders”.' },
};

const MODE_HELP: Record<PublishMode, { title: string; text: string }> = {
  copy: { title: 'Copy', text: 'Works everywhere; uses disk space twice.' },
  hardlink: { title: 'Hard link', text: 'No extra space; library and cache on the same disk.' },
  reflink: { title: 'Reflink', text: 'Copy-on-write clone (Btrfs, XFS, APFS); falls back to a copy.' },
};

function PublishingSection({ settings }: { settings: SettingsState }) {
  const { save } = useSave(settings);
  const bool = (k: SettingKey) => settings.value(k) === true;
  return (
    <>
      <Card title="File names" description="How artwork files are named next to your movies.">
        <RadioCards
          name="naming-style"
          value={String(settings.value('naming.style'))}
          options={keysOf(NAMING_HELP).map((s) => ({ value: s, ...NAMING_HELP[s] }))}
          onChange={(v) => void save('naming.style', v)}
        />
        <div className="stack">
          <Switch
            checked={bool('naming.movieNfo')}
            onChange={(v) => void save('naming.movieNfo', v)}
            label="Also write movie.nfo"
          />
          <Switch
            checked={bool('naming.extrafanartFolder')}
            onChange={(v) => void save('naming.extrafanartFolder', v)}
            label="Also write extra fanart into an extrafanart folder"
          />
        </div>
      </Card>
      <Card title="How files reach the library">
        <RadioCards
          name="publish-mode"
          value={String(settings.value('publish.mode'))}
          options={keysOf(MODE_HELP).map((m) => ({ value: m, ...MODE_HELP[m] }))}
          onChange={(v) => void save('publish.mode', v)}
        />
      </Card>
      <Card
        title="Existing files"
        description={
          <>
            Nothing is deleted: replaced files go to the recycle bin and can be restored from{' '}
            <a href="#/settings/storage">Settings → Storage</a>.
          </>
        }
      >
        <div className="stack">
          <Switch
            checked={bool('publish.overwriteForeignNfo')}
            onChange={(v) => void save('publish.overwriteForeignNfo', v)}
            label="Replace NFO files written by other programs"
          />
          <Switch
            checked={bool('publish.cleanupUnknownImages')}
            onChange={(v) => void save('publish.cleanupUnknownImages', v)}
            label="Move unknown image files into the recycle bin"
          />
          <Switch
            checked={bool('publish.actorImages')}
            onChange={(v) => void save('publish.actorImages', v)}
            label="Publish actor pictures into .actors"
          />
        </div>
      </Card>
    </>
  );
}

export function RadioCards({
  name,
  value,
  options,
  onChange,
}: {
  name: string;
  value: string;
  options: Array<{ value: string; title: string; text: string }>;
  onChange: (value: string) => void;
}) {
  return (
    <div className="radio-cards" role="radiogroup">
      {options.map((o) => (
        <label key={o.value} className={`radio-card ${value === o.value ? 'radio-card-on' : ''}`}>
          <input
            type="radio"
            name={name}
            value={o.value}
            checked={value === o.value}
            onChange={() => onChange(o.value)}
          />
          <strong>{o.title}</strong>
          <span className="muted">{o.text}</span>
        </label>
      ))}
    </div>
  );
}

// ---- automation -------------------------------------------------------------------------------

export const AUTOMATION_HELP: Record<AutomationLevel, { title: string; text: string }> = {
  off: { title: 'Off', text: 'Nothing happens on its own; you start every step.' },
  candidates: {
    title: 'Find artwork',
    text: 'New movies are identified and their artwork is collected for you to choose.',
  },
  autoselect: { title: 'Choose for me', text: 'Also picks the best image of each type. You can change any choice.' },
  publish: { title: 'Choose and publish', text: 'Also writes the chosen images into your library right away.' },
};

function AutomationSection({ settings }: { settings: SettingsState }) {
  const { save } = useSave(settings);
  return (
    <>
      <Card title="Automation level" description="For monitored movies. Locked choices are never changed.">
        <RadioCards
          name="automation"
          value={String(settings.value('automation.level'))}
          options={keysOf(AUTOMATION_HELP).map((l) => ({ value: l, ...AUTOMATION_HELP[l] }))}
          onChange={(v) => void save('automation.level', v)}
        />
      </Card>
      <Card title="Schedule" description="0 turns a task off.">
        <div className="grid-2">
          <NumberSetting settings={settings} k="schedule.rescanHours" label="Rescan libraries every (hours)" />
          <NumberSetting settings={settings} k="schedule.refreshDays" label="Refresh artwork every (days)" />
          <NumberSetting settings={settings} k="schedule.verifyHours" label="Check published files every (hours)" />
          <NumberSetting settings={settings} k="schedule.gcHours" label="Clean the cache every (hours)" />
          <NumberSetting settings={settings} k="recycle.retentionDays" label="Keep recycled files for (days)" />
          <NumberSetting settings={settings} k="cache.gcGraceDays" label="Keep unused cache images for (days)" />
        </div>
      </Card>
    </>
  );
}

function NumberSetting({ settings, k, label }: { settings: SettingsState; k: SettingKey; label: string }) {
  const { save } = useSave(settings);
  const value = Number(settings.value(k) ?? 0);
  const id = `setting-${k}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        min={0}
        className="input input-num"
        defaultValue={value}
        key={value}
        onBlur={(e) => {
          const n = Number(e.target.value);
          if (Number.isFinite(n) && n !== value) void save(k, n);
        }}
      />
    </div>
  );
}

// ---- players ----------------------------------------------------------------------------------

const PLAYERS = [
  {
    key: 'players.kodi' as const,
    title: 'Kodi',
    description: 'Kodi’s web interface (Settings → Services → Control). Posterity asks it to refresh changed movies.',
    fields: [
      { name: 'url', label: 'Address', placeholder: 'http://kodi.local:8080/jsonrpc' },
      { name: 'username', label: 'User name', placeholder: 'kodi' },
      { name: 'password', label: 'Password', secret: true },
    ],
  },
  {
    key: 'players.jellyfin' as const,
    title: 'Jellyfin',
    description: 'Jellyfin → Dashboard → API keys.',
    fields: [
      { name: 'url', label: 'Address', placeholder: 'http://jellyfin.local:8096' },
      { name: 'apiKey', label: 'API key', secret: true },
    ],
  },
  {
    key: 'players.plex' as const,
    title: 'Plex',
    description: 'The library section to refresh after publishing.',
    fields: [
      { name: 'url', label: 'Address', placeholder: 'http://plex.local:32400' },
      { name: 'token', label: 'Token', secret: true },
      { name: 'sectionId', label: 'Section id', placeholder: '1' },
    ],
  },
];

function PlayersSection({ settings }: { settings: SettingsState }) {
  return (
    <>
      {PLAYERS.map((p) => (
        <PlayerCard key={p.key} settings={settings} player={p} />
      ))}
    </>
  );
}

function PlayerCard({ settings, player }: { settings: SettingsState; player: (typeof PLAYERS)[number] }) {
  const { save } = useSave(settings);
  const configured = settings.value(player.key) !== null && settings.value(player.key) !== undefined;
  const [editing, setEditing] = useState(false);
  const [form, setForm] = useState<Record<string, string>>({});
  const complete = player.fields.every(
    (f) => (form[f.name] ?? '').trim() !== '' || f.name === 'username' || f.name === 'password',
  );
  return (
    <Card
      title={player.title}
      description={player.description}
      actions={
        <span className={`badge ${configured ? 'badge-ok' : ''}`}>
          {configured ? 'Notified after publishing' : 'Off'}
        </span>
      }
    >
      {!editing ? (
        <div className="field-row">
          <button type="button" className="btn" onClick={() => setEditing(true)}>
            {configured ? 'Change' : 'Set up'}
          </button>
          {configured && (
            <button
              type="button"
              className="btn btn-ghost"
              onClick={() => void save(player.key, null, `${player.title} turned off`)}
            >
              Turn off
            </button>
          )}
        </div>
      ) : (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            const value = Object.fromEntries(player.fields.map((f) => [f.name, (form[f.name] ?? '').trim()]));
            void save(player.key, value, `${player.title} saved`).then((r) => r && setEditing(false));
          }}
        >
          {player.fields.map((f) => (
            <div className="field" key={f.name}>
              <label htmlFor={`${player.key}-${f.name}`}>{f.label}</label>
              <input
                id={`${player.key}-${f.name}`}
                className="input"
                type={'secret' in f && f.secret ? 'password' : 'text'}
                placeholder={'placeholder' in f ? f.placeholder : undefined}
                autoComplete="off"
                value={form[f.name] ?? ''}
                onChange={(e) => setForm({ ...form, [f.name]: e.target.value })}
              />
            </div>
          ))}
          <div className="field-row">
            <button type="submit" className="btn btn-primary" disabled={!complete}>
              Save
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </Card>
  );
}

// ---- webhooks ---------------------------------------------------------------------------------

function WebhooksSection() {
  const [reveal, setReveal] = useState(false);
  const info = useApi('webhook-info', { reveal }, []);
  const toast = useToast();
  const client = useClient();
  // The shown addresses may be masked; the copy always carries the real secret.
  const copy = async (source: 'radarr' | 'sonarr') => {
    try {
      const full = await client.call('webhook-info', { reveal: true });
      await navigator.clipboard.writeText(source === 'radarr' ? full.radarrUrl : full.sonarrUrl);
      toast('Copied');
    } catch (err) {
      toast(`Could not copy: ${errorText(err)}`, 'error');
    }
  };
  if (info.error) return <ErrorMessage error={info.error} onRetry={info.reload} />;
  if (!info.data) return <Spinner />;
  const w = info.data;
  return (
    <Card
      title="Radarr and Sonarr"
      description="In Radarr or Sonarr: Settings → Connect → + → Webhook. Paste the address, tick On Import and On Upgrade. Posterity then rescans that movie right away."
      actions={
        <span className={`badge ${w.listening ? 'badge-ok' : ''}`}>
          {w.listening ? 'Listening' : 'Not listening in this mode'}
        </span>
      }
    >
      {(
        [
          ['Radarr webhook address', w.radarrUrl, 'radarr'],
          ['Sonarr webhook address', w.sonarrUrl, 'sonarr'],
        ] as const
      ).map(([label, url, source]) => (
        <div className="field" key={label}>
          <label>{label}</label>
          <div className="field-row">
            <input className="input mono" readOnly value={url} aria-label={label} onFocus={(e) => e.target.select()} />
            <button type="button" className="btn" onClick={() => void copy(source)}>
              Copy
            </button>
          </div>
        </div>
      ))}
      <div className="field">
        <label>Secret</label>
        <div className="field-row">
          <input className="input mono" readOnly value={w.secret} aria-label="Webhook secret" />
          <button type="button" className="btn" onClick={() => setReveal(!reveal)}>
            {reveal ? 'Hide' : 'Reveal'}
          </button>
        </div>
        <p className="note">
          The secret is part of the addresses above; anyone with it can trigger rescans, nothing more.
        </p>
      </div>
    </Card>
  );
}

// ---- appearance -------------------------------------------------------------------------------

function AppearanceSection({ settings }: { settings: SettingsState }) {
  const { save } = useSave(settings);
  const client = useClient();
  const { run } = useAction();
  return (
    <>
      <Card title="Theme">
        <RadioCards
          name="theme"
          value={String(settings.value('ui.theme') ?? 'system')}
          options={[
            { value: 'system', title: 'System', text: 'Follow the light or dark setting of this computer.' },
            { value: 'light', title: 'Light', text: 'Always light.' },
            { value: 'dark', title: 'Dark', text: 'Always dark.' },
          ]}
          onChange={(v) => void save('ui.theme', v)}
        />
      </Card>
      <Card title="Welcome guide">
        <button
          type="button"
          className="btn"
          onClick={() =>
            void run('welcome', () => client.call('config-set', { key: 'ui.firstRunDone', value: false })).then(() =>
              navigate({ view: 'welcome' }),
            )
          }
        >
          Show the welcome guide again
        </button>
      </Card>
    </>
  );
}
