// One incident, live: read it through the API whenever its event stream says it changed.
const id = location.pathname.split('/').pop();
const api = '/api/incidents/' + id;
let reading = null;
let again = false;

function rows(target, items, toCells) {
  document.getElementById(target).replaceChildren(...items.map(item => {
    const row = document.createElement('tr');
    row.append(...toCells(item));
    return row;
  }));
}

async function read() {
  const detail = await owf.json(api);
  const incident = detail.incident;
  document.title = incident.name + ' · OrleansWorkflow';
  document.getElementById('title').textContent = incident.name;
  const status = document.getElementById('status');
  status.textContent = incident.status;
  status.className = 'status ' + incident.status;
  document.getElementById('reason').textContent = incident.reason ?? '';
  document.getElementById('kind').textContent = incident.kind;
  document.getElementById('workflow-version').textContent = incident.workflowVersion;
  document.getElementById('urgency').textContent = incident.urgency;
  document.getElementById('stage').textContent = incident.stage ?? '';
  document.getElementById('created').textContent = owf.time(incident.createdAt);
  document.getElementById('incident-id').textContent = incident.incidentId;
  document.getElementById('deadline').textContent = incident.deadline ? owf.time(incident.deadline) : 'none';
  document.getElementById('overdue').hidden = !incident.overdue;
  document.getElementById('cancel').disabled = incident.status === 'Completed' || incident.status === 'Cancelled';

  rows('timeline', detail.timeline, step => [
    owf.cell(owf.time(step.startedAt)), owf.cell(step.queue), owf.cell(step.handler ?? ''), owf.cell(step.originator ?? ''),
    owf.status(step.outcome), owf.cell(step.seconds ?? ''), owf.cell(step.sentTo.join(', ')), owf.cell(step.error ?? '')]);
  rows('joins', detail.joins, j => [owf.cell(j.queue), owf.cell(j.name), owf.cell(joinState(j)), owf.cell(j.arrived.join(', '))]);
  rows('simulations', detail.simulations, s => [
    owf.cell(s.simulationId, 'muted'), owf.cell(s.machine), owf.cell(s.jobId ?? ''), owf.status(s.status), owf.cell(owf.time(s.expectedStart)),
    owf.cell(s.exitCode ?? ''), owf.cell(s.workingDirectory ?? ''), owf.cell(s.detail ?? '')]);
  rows('data', await owf.json(api + '/data'), d => [
    owf.cell(d.name), owf.cell(d.machine), owf.status(d.status), owf.cell(d.size ?? ''), owf.cell(d.sha256 ?? '', 'muted'), owf.cell(d.source),
    owf.cell(d.path, 'muted'), owf.cell(d.detail ?? '')]);
  rows('dead-letters', detail.deadLetters, d => [owf.cell(owf.time(d.at)), owf.cell(d.queue), owf.cell(d.messageId ?? ''), owf.cell(d.reason), letterActions(d)]);

  const svg = await fetch(api + '/graph?format=svg');
  document.getElementById('graph').innerHTML = svg.ok ? await svg.text() : '';
}

// "waiting for: weather_results (3 min left)", or how it fired.
function joinState(join) {
  if (join.firedAt)
    return (join.timedOut ? 'timed out with ' + join.arrived.length + ' of ' + (join.arrived.length + join.missing.length) : 'fired') + ' at ' + owf.time(join.firedAt);
  const left = join.secondsLeft == null ? '' : ' (' + (join.secondsLeft >= 120 ? Math.round(join.secondsLeft / 60) + ' min' : join.secondsLeft + ' s') + ' left)';
  return 'waiting for: ' + join.missing.join(', ') + left;
}

// Replay (send back to its queue) or discard a dead letter, as `owf dead-letters` does; operators only.
// What was done to each dead letter from this page, kept across the re-reads that redraw the table.
const letterOutcomes = new Map();

function letterActions(letter) {
  const td = document.createElement('td');
  if (!letter.messageId) return td;
  const outcome = document.createElement('span');
  outcome.className = 'muted letter-outcome';
  outcome.dataset.messageId = letter.messageId;
  outcome.textContent = letterOutcomes.get(letter.messageId) ?? '';
  for (const action of ['replay', 'discard']) {
    const button = document.createElement('button');
    button.textContent = action === 'replay' ? 'Replay' : 'Discard';
    button.className = 'letter-' + action;
    button.addEventListener('click', async () => {
      try {
        const done = await owf.json(`/api/dead-letters/${encodeURIComponent(letter.queue)}/${encodeURIComponent(letter.messageId)}/${action}`, { method: 'POST' });
        letterOutcomes.set(letter.messageId, done.outcome);
      } catch (failure) {
        letterOutcomes.set(letter.messageId, failure.message);
      }
      // The row shown may be a newer one than this button's: write to whichever shows the letter now.
      for (const shown of document.querySelectorAll('#dead-letters .letter-outcome'))
        if (shown.dataset.messageId === letter.messageId)
          shown.textContent = letterOutcomes.get(letter.messageId);
    });
    td.append(button, ' ');
  }
  td.append(outcome);
  return td;
}

// One read at a time; changes that arrive during a read cause one more read after it.
async function refresh() {
  if (reading) { again = true; return; }
  do {
    again = false;
    reading = read().catch(e => { document.getElementById('live').textContent = 'error: ' + e.message; });
    await reading;
    reading = null;
  } while (again);
}

const events = new EventSource(api + '/events');
const live = document.getElementById('live');
events.addEventListener('ready', () => { live.textContent = 'live'; refresh(); });
for (const kind of ['StatusChanged', 'StepStarted', 'StepEnded', 'SimulationChanged', 'DeadLettered', 'JoinChanged'])
  events.addEventListener(kind, () => { live.textContent = 'live · changed ' + new Date().toLocaleTimeString(); refresh(); });
events.onerror = () => { live.textContent = 'reconnecting…'; };

document.getElementById('cancel-form').addEventListener('submit', async e => {
  e.preventDefault();
  const error = document.getElementById('cancel-error');
  try {
    await owf.json(api + '/cancel', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: document.getElementById('cancel-reason').value }),
    });
    error.textContent = '';
  } catch (failure) {
    error.textContent = failure.message;
  }
  refresh();
});
refresh();
owf.whoAmI();
