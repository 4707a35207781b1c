/** One line of `app doctor`: what was checked, how it went, and how to fix it. */
export interface DoctorCheck {
  name: string
  status: 'ok' | 'warn' | 'fail'
  message: string
  fix?: string
}
