// The incident list: newest first, filtered by status and kind, refreshed every 5 seconds.
const params = new URLSearchParams(location.search);
document.getElementById('status').value = params.get('status') ?? '';
document.getElementById('kind').value = params.get('kind') ?? '';

async function refresh() {
  const query = new URLSearchParams();
  for (const name of ['status', 'kind']) {
    const value = document.getElementById(name).value.trim();
    if (value) query.set(name, value);
  }
  history.replaceState(null, '', '/incidents' + (query.size ? '?' + query : ''));
  const incidents = await owf.json('/api/incidents?' + query);
  const rows = incidents.map(incident => {
    const row = document.createElement('tr');
    row.dataset.incident = incident.incidentId;
    row.append(owf.cell(owf.time(incident.createdAt)), owf.cell(owf.age(incident.ageSeconds)), owf.link('/incidents/' + incident.incidentId, incident.name), owf.cell(incident.kind),
      owf.cell(incident.workflowVersion), owf.cell(incident.urgency), owf.status(incident.status), owf.cell(incident.stage ?? ''), owf.cell(incident.incidentId, 'muted'));
    return row;
  });
  document.getElementById('incidents').replaceChildren(...rows);
  document.getElementById('empty').hidden = rows.length > 0;
  document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();

  const machines = await owf.json('/api/machines');
  const waiting = await Promise.all(machines.map(machine => owf.json('/api/machines/' + encodeURIComponent(machine.machine) + '/waiting')));
  document.getElementById('machines').replaceChildren(...machines.map((machine, i) => {
    const row = document.createElement('tr');
    row.dataset.machine = machine.machine;
    row.append(owf.cell(machine.machine), owf.cell(machine.mode), owf.cell(owf.time(machine.changedAt)), owf.cell(machine.reason ?? ''),
      owf.cell(waiting[i].length), owf.cell(owf.time(machine.certificateValidBefore)));
    return row;
  }));
  const held = waiting.flat();
  document.getElementById('waiting').replaceChildren(...held.map(simulation => {
    const row = document.createElement('tr');
    row.dataset.simulation = simulation.simulationId;
    row.append(owf.cell(simulation.machine), owf.link('/incidents/' + simulation.incidentId, simulation.incidentId), owf.cell(simulation.urgency), owf.cell(owf.time(simulation.createdAt)), owf.cell(simulation.simulationId, 'muted'));
    return row;
  }));
  document.getElementById('none-waiting').hidden = held.length > 0;

  const schedules = await owf.json('/api/schedules');
  document.getElementById('schedules').replaceChildren(...schedules.map(schedule => {
    const row = document.createElement('tr');
    row.dataset.schedule = schedule.name;
    row.append(owf.cell(schedule.name), owf.cell(schedule.cron), owf.cell(schedule.timeZone), owf.cell(schedule.kind), owf.cell(schedule.missed),
      owf.cell(owf.time(schedule.lastDue)), owf.cell(owf.time(schedule.nextDue)));
    return row;
  }));
}

document.getElementById('filters').addEventListener('change', refresh);
document.getElementById('filters').addEventListener('submit', e => { e.preventDefault(); refresh(); });
refresh();
setInterval(refresh, 5000);
owf.whoAmI();
