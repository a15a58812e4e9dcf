/** `tsx bench/profile-cpu.ts FILE.cpuprofile...`: non-idle sample time and span of saved cpuprofiles (as bench/run.ts counts them). */
import { readFileSync } from 'node:fs'
import { profileCpu, type CpuProfile } from './lib/inspector'

for (const file of process.argv.slice(2)) {
  const { nonIdleMs, spanMs, samples } = profileCpu(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile)
  console.log(`${file}: non-idle ${nonIdleMs.toFixed(1)} ms of a ${spanMs.toFixed(1)} ms profile (${samples} samples)`)
}
