// The probe's main step does nothing: it is there so that its post step runs after the action's.
console.log('self-test post probe: its post step will check the action\'s post step and job summary.');
